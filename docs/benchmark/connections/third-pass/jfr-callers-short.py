import sys, re, subprocess, collections
jfr, needle, depth = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv)>3 else 3
out = subprocess.run(["/usr/lib/jvm/java-17-openjdk-amd64/bin/jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "160", jfr], capture_output=True, text=True).stdout
samples=[]; cur=None
for line in out.splitlines():
    s=line.strip()
    if s.startswith("jdk.ExecutionSample"): cur=[]; samples.append(cur)
    elif cur is not None and re.match(r"^[\w$.<>]+\(.*\)", s): cur.append(s.split("(")[0])
print("samples", len(samples))
hit=[st for st in samples if any(needle in f for f in st)]
c=collections.Counter()
for st in hit:
    i=max(i for i,f in enumerate(st) if needle in f)
    chain=[f.split(".")[-2]+"."+f.split(".")[-1] for f in st[i+1:] if not f.startswith(("java.","jdk.","sun."))][:depth]
    c[" <- ".join(chain)]+=1
print(len(hit))
for k,v in c.most_common(12): print(v, k)
