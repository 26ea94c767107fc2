import json, sys, statistics
r=json.load(open(sys.argv[1])); rs = r if isinstance(r,list) else r.get('results',[])
by={}
for x in rs:
    m=x['metrics']; by[(x['scenario'],m.get('round'),x['variant'])]=m
scen=sorted(set(k[0] for k in by))
for s in scen:
    rounds=sorted(set(k[1] for k in by if k[0]==s))
    for v in ['switchboard-v1','switchboard-before']:
        rat=[];p=[]
        for rd in rounds:
            b=by.get((s,rd,'bare')); m=by.get((s,rd,v))
            if not b or not m: continue
            key='deliveriesPerSecond' if 'deliveriesPerSecond' in m else 'roundTripsPerSecond'
            rat.append(m[key]/b[key]); p.append(m['p99Ms']/b['p99Ms'])
        if rat: print(f"{s:22} {v:20} rate/floor {[round(x,2) for x in rat]} median {statistics.median(rat):.2f}  p99/floor {[round(x,2) for x in p]} median {statistics.median(p):.2f}")
