#!/bin/sh
# What node B said about Redis during a failover run (its WildFly or Payara log): its Switchboard lines other than per-command
# failures and slow-consumer closes, then the failed best-effort commands counted per ten seconds.
log="$1"
echo "## Node B's Switchboard lines (per-command failures, 4008 closes and stack frames left out)"
grep "dev.switchboard" "$log" | grep -v "Redis command failed\|with 4008\|resteasy\|undertow\|PubSubEndpoint" \
    | grep -v "^\s*at " | sed 's/\x1b\[[0-9;]*m//g' \
    | sed -E 's/\[tid: [^]]*\] \[timeMillis: [0-9]+\] \[levelValue: [0-9]+\] //; s/^\[[0-9-]+T([0-9:.]+)\+0000\] \[\] /\1 /' \
    | cut -c1-220
echo "… and $(grep -c 'RejectedExecutionException' "$log") events Lettuce delivered while the node stopped, refused by its inbox (logged as errors before 'the heartbeat on connections of its own' commit)"
echo
echo "## Failed best-effort Redis commands, per ten seconds (HH:MM:S0)"
grep "Redis command failed" "$log" | sed 's/\x1b\[[0-9;]*m//g' | sed -E 's/^\[[0-9-]+T//' | cut -c1-7 | sort | uniq -c
