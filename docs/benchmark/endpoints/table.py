# Before/after table from pairs of results.json: python3 table.py before1.json after1.json [before2.json after2.json]
import json, sys
files = sys.argv[1:]
pairs = [(files[i], files[i + 1]) for i in range(0, len(files), 2)]
def load(f):
    out = {}
    for r in json.load(open(f))['results']:
        if '@before' in r['variant']:
            continue
        out[(r['server'], r['variant'], r['scenario'])] = r['metrics']
    return out
runs = [(load(b), load(a)) for b, a in pairs]
names = {'fanout-max-1000': 'fan-out to 1 000, max', 'fanout-window-1000': 'fan-out to 1 000, window 16',
         'fanout-fixed-1000': 'fan-out to 1 000, 20/s', 'echo-100': 'echo, 100 clients'}
def fmt(v):
    if v is None: return '–'
    if isinstance(v, float): return f'{v:,.1f}'.replace(',', ' ')
    return f'{v:,}'.replace(',', ' ')
print('| server | variant | scenario | rate before | rate after | p99 ms before | p99 ms after | server CPU µs before | after | lost before → after |')
print('|---|---|---|---|---|---|---|---|---|---|')
for key in sorted(runs[0][0]):
    server, variant, scenario = key
    if variant == 'bare' and scenario not in ('echo-100', 'fanout-max-1000'):
        pass
    cells = []
    rate_k = 'roundTripsPerSecond' if scenario.startswith('echo') else 'deliveriesPerSecond'
    cpu_k = 'serverCpuMicrosPerRoundTrip' if scenario.startswith('echo') else 'serverCpuMicrosPerDelivery'
    def col(k, which):
        return ' / '.join(fmt(r[which].get(key, {}).get(k)) for r in runs)
    print(f"| {server} | {variant} | {names.get(scenario, scenario)} | {col(rate_k,0)} | {col(rate_k,1)} | {col('p99Ms',0)} | {col('p99Ms',1)} | {col(cpu_k,0)} | {col(cpu_k,1)} | {col('lost',0)} → {col('lost',1)} |")
