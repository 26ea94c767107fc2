# Splits a JFR recording of the server by owner: each sample goes to the first frame, from the leaf up, that belongs to a
# known owner (JDK frames go to whoever called them). Usage: python3 jfr-owners.py <recording.jfr> [owner-to-list]
import sys, re, subprocess, collections
jfr = sys.argv[1]; jdk = __import__("os").environ.get("JFR", "jfr")
out = subprocess.run([jdk, "print", "--events", "jdk.ExecutionSample", "--stack-depth", "128", jfr], capture_output=True, text=True).stdout
samples=[]; cur=None
for line in out.splitlines():
    s=line.strip()
    if s.startswith("jdk.ExecutionSample"): cur=[]; samples.append(cur)
    elif cur is not None and re.match(r"^[\w$.<>]+\(.*\)", s): cur.append(s.split("(")[0])
owners=[("switchboard",["dev.switchboard."]),("weld",["org.jboss.weld"]),("security",["org.glassfish.soteria","org.wildfly.security","io.undertow.security","org.jboss.as.web.security","org.glassfish.exousia","com.sun.enterprise.security","com.sun.web.security","org.glassfish.security","org.wildfly.extension.undertow.security"]),("naming",["org.jboss.as.naming","javax.naming","org.jboss.as.ee.naming"]),("websocket",["org.glassfish.tyrus","io.undertow.websockets"]),("servlet",["io.undertow.servlet","org.apache.catalina","com.sun.enterprise.web","org.glassfish.web","org.wildfly.extension.undertow"]),("http",["io.undertow.server","io.undertow.protocols","io.undertow.conduits","io.undertow.util","org.xnio","org.glassfish.grizzly"])]
def owner(st):
    for f in st:
        for o,ps in owners:
            if any(f.startswith(p) for p in ps): return o
    return "jvm/other"
c=collections.Counter(owner(st) for st in samples)
n=len(samples); print("samples",n)
for o,k in c.most_common(): print("%5.1f%% %4d %s"%(100*k/n,k,o))
if len(sys.argv)>2:
    pat=sys.argv[2]; stacks=collections.Counter()
    for st in samples:
        if owner(st)==pat: stacks[" < ".join([f.rsplit('.',2)[-2]+'.'+f.rsplit('.',1)[-1] for f in st[:14]])]+=1
    for s,k in stacks.most_common(40): print(k, s)
