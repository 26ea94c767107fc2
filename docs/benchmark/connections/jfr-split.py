import sys, re, subprocess, collections
jfr = sys.argv[1]
jdk = sys.argv[2] if len(sys.argv) > 2 else "/usr/lib/jvm/java-17-openjdk-amd64/bin/jfr"
out = subprocess.run([jdk, "print", "--events", "jdk.ExecutionSample", "--stack-depth", "96", jfr], capture_output=True, text=True).stdout
samples = []
cur = None
for line in out.splitlines():
    s = line.strip()
    if s.startswith("jdk.ExecutionSample"):
        cur = []
        samples.append(cur)
    elif cur is not None and re.match(r"^[\w$.<>]+\(.*\)", s):
        cur.append(s.split("(")[0])
groups = [
 ("Switchboard: HandshakeFilter (origin, TLS, subprotocols, drain)", ["dev.switchboard.web.HandshakeFilter", "dev.switchboard.security.HandshakeRules", "dev.switchboard.security.OriginPolicy"]),
 ("Switchboard: authentication mechanism (credentials)", ["dev.switchboard.security.SwitchboardAuthenticationMechanism", "dev.switchboard.security.Credentials", "dev.switchboard.security.TokenVerifier"]),
 ("Switchboard: configurator and endpoint open (engine registration, welcome)", ["dev.switchboard.web.HandshakeConfigurator", "dev.switchboard.web.Endpoints", "dev.switchboard.web.SwitchboardEndpoint", "dev.switchboard.engine."]),
 ("Switchboard: any", ["dev.switchboard."]),
 ("Jakarta Security runtime (Soteria, JASPIC, container security)", ["org.glassfish.soteria", "com.sun.enterprise.security", "org.glassfish.exousia", "org.wildfly.security", "io.undertow.security", "org.jboss.as.web.security", "jakarta.security", "org.glassfish.security", "com.sun.web.security"]),
 ("CDI (Weld)", ["org.jboss.weld"]),
 ("WebSocket implementation (Tyrus / Undertow websockets)", ["org.glassfish.tyrus", "io.undertow.websockets"]),
 ("HTTP and NIO (Grizzly / Undertow core / XNIO)", ["org.glassfish.grizzly", "io.undertow.server", "io.undertow.servlet", "org.xnio", "io.undertow.protocols"]),
 ("servlet filter chain / web container", ["org.apache.catalina", "org.glassfish.web", "com.sun.enterprise.web", "io.undertow.servlet.handlers"]),
 ("GC, JIT and other JVM threads", []),
]
n = len(samples)
print("samples:", n)
incl = collections.Counter()
for st in samples:
    for label, prefixes in groups:
        if prefixes and any(f.startswith(p) for f in st for p in prefixes):
            incl[label] += 1
for label, _ in groups:
    if label in incl:
        print("%5.1f %%  %s" % (100.0 * incl[label] / max(1, n), label))
# top leaf frames
leaf = collections.Counter(st[0] for st in samples if st)
print("\ntop leaf methods:")
for m, c in leaf.most_common(15):
    print("%5.1f %%  %s" % (100.0 * c / n, m))
# top switchboard frames inclusive
sb = collections.Counter()
for st in samples:
    for f in set(st):
        if f.startswith("dev.switchboard."):
            sb[f] += 1
print("\ntop Switchboard methods (inclusive):")
for m, c in sb.most_common(15):
    print("%5.1f %%  %s" % (100.0 * c / n, m))
