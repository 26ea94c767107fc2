import sys, re, subprocess, collections
jfr = sys.argv[1]
out = subprocess.run(["/usr/lib/jvm/java-17-openjdk-amd64/bin/jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", jfr], capture_output=True, text=True).stdout
samples=[]; cur=None; thread=None
for line in out.splitlines():
    s=line.strip()
    if s.startswith("jdk.ExecutionSample"): cur=[]; samples.append((cur, [None]))
    elif s.startswith("sampledThread"):
        samples[-1][1][0] = re.sub(r'[-#]?\d+', '#', s.split('=',1)[1].strip().split('"')[1] if '"' in s else s)
    elif cur is not None and re.match(r"^[\w$.<>]+\(.*\)", s): cur.append(s.split("(")[0])
print("samples", len(samples))
th=collections.Counter(t[0] for _,t in samples)
print("by thread:"); [print(" ",v,k) for k,v in th.most_common(8)]
selfc=collections.Counter(st[0] for st,_ in samples if st)
print("top self:"); [print(" ",v,k) for k,v in selfc.most_common(25)]
incl=collections.Counter()
for st,_ in samples:
    for f in set(st):
        if f.startswith("dev.switchboard") or "undertow" in f or "xnio" in f: incl[f]+=1
print("top inclusive (switchboard/undertow/xnio):"); [print(" ",v,k) for k,v in incl.most_common(40)]
