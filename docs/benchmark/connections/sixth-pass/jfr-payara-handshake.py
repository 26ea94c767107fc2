# Payara handshake: samples whose stacks hold each of the frames below (inclusive), and the class loaders scanned under
# the new session's timer. Usage: python3 jfr-payara-handshake.py <recording.jfr>
import re,subprocess,collections,sys
out=subprocess.run([__import__("os").environ.get("JFR", "jfr"),"print","--events","jdk.ExecutionSample","--stack-depth","160",sys.argv[1]],capture_output=True,text=True).stdout
S=[];cur=None
for line in out.splitlines():
    s=line.strip()
    if s.startswith("jdk.ExecutionSample"): cur=[]; S.append(cur)
    elif cur is not None and re.match(r"^[\w$.<>]+\(.*\)", s): cur.append(s.split("(")[0])
print("samples",len(S))
for key in ["TyrusSession.<init>","TyrusEndpointWrapper.onMessage","TyrusEndpointWrapper.onPong","createHttpUpgradeHandlerInstance","HttpBridgeServerAuthModule","fireRequestDestroyedEvent","fireRequestInitializedEvent","dev.switchboard","WebappClassLoader.getResources","WebappClassLoader.findResources","captureContext"]:
    print("%5d %s"%(sum(1 for st in S if any(key in f for f in st)),key))
c=collections.Counter()
for st in S:
    if any(f.endswith("TyrusSession.<init>") for f in st):
        loaders=[f.rsplit('.',2)[-2] for f in st if "ClassLoader" in f and ("getResources" in f or "findResources" in f)]
        c[tuple(sorted(set(loaders)))]+=1
print(c.most_common(4))
