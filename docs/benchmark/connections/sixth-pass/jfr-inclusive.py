# Inclusive counts: samples whose stack holds each given frame. Usage: python3 jfr-inclusive.py <recording.jfr> <frame>...
import sys, re, subprocess, collections
jfr=sys.argv[1]; jdk=__import__("os").environ.get("JFR", "jfr")
out=subprocess.run([jdk,"print","--events","jdk.ExecutionSample","--stack-depth","128",jfr],capture_output=True,text=True).stdout
samples=[];cur=None
for line in out.splitlines():
    s=line.strip()
    if s.startswith("jdk.ExecutionSample"): cur=[]; samples.append(cur)
    elif cur is not None and re.match(r"^[\w$.<>]+\(.*\)", s): cur.append(s.split("(")[0])
print("samples",len(samples))
for m in sys.argv[2:]:
    k=sum(1 for st in samples if any(m in f for f in st))
    print("%4d %5.1f%% %s"%(k,100*k/len(samples),m))
