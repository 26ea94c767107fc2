# Callees of a frame: the paths below its outermost occurrence. Usage: python3 jfr-callees.py <recording.jfr> <frame> <depth> [top]
import sys, re, subprocess, collections
jfr=sys.argv[1]; pat=sys.argv[2]; depth=int(sys.argv[3]); jdk=__import__("os").environ.get("JFR", "jfr")
out=subprocess.run([jdk,"print","--events","jdk.ExecutionSample","--stack-depth","160",jfr],capture_output=True,text=True).stdout
samples=[];cur=None
for line in out.splitlines():
    s=line.strip()
    if s.startswith("jdk.ExecutionSample"): cur=[]; samples.append(cur)
    elif cur is not None and re.match(r"^[\w$.<>]+\(.*\)", s): cur.append(s.split("(")[0])
c=collections.Counter()
for st in samples:
    idx=[i for i,f in enumerate(st) if pat in f]
    if not idx: continue
    i=idx[-1]  # outermost occurrence
    # frames just below (callees) of pat: path from pat downward, depth frames
    path=list(reversed(st[max(0,i-depth):i+1]))
    c[" > ".join(f.rsplit('.',2)[-2]+'.'+f.rsplit('.',1)[-1] for f in path)]+=1
tot=sum(c.values()); print("total",tot)
for k,v in c.most_common(int(sys.argv[4]) if len(sys.argv)>4 else 25): print(v,k)
