# Per-round comparisons from a results.json: metric:base:variants:ratio|diff ... (the median and each round)
import json,sys,statistics,collections
d=json.load(open(sys.argv[1]))
rows=collections.defaultdict(dict)  # (server,scenario,round) -> variant -> metrics
for r in d['results']:
    m=r['metrics']
    if 'round' not in m or m['round']<0: continue
    rows[(r['server'],r['scenario'],m['round'])][r['variant']]=m
def show(metric, base, variants, diff=False):
    byk=collections.defaultdict(list)
    for (srv,sc,rd),vs in sorted(rows.items()):
        if base not in vs: continue
        for v in variants:
            if v in vs and metric in vs[v]:
                a=vs[v][metric]; b=vs[base][metric]
                byk[(srv,sc,v)].append((a-b) if diff else a/b if b else float('nan'))
    for k,vals in sorted(byk.items()):
        print("%-8s %-16s %-20s %s/%s: median %s  rounds %s"%(k[0],k[1],k[2],metric,base,
              ("%+.0f"%statistics.median(vals)) if diff else "%.2f"%statistics.median(vals),
              ", ".join(("%+.0f"%x) if diff else "%.2f"%x for x in vals)))
for spec in sys.argv[2:]:
    metric,base,vs,kind=spec.split(":")
    show(metric,base,vs.split(","),kind=="diff")
