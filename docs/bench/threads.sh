#!/usr/bin/env bash
# CPU per thread group of one JVM over an interval (/proc/PID/task/*/stat, names from jcmd Thread.print),
# e.g. during a benchmark step:   docs/bench/threads.sh PID SECONDS
# Numbers in thread names are replaced by N (vert.x-eventloop-thread-N, C2 CompilerThreadN, hz.<instance>.*-N).
set -euo pipefail
pid=$1 secs=${2:-10}
snap() {
  local t
  for t in /proc/"$pid"/task/*; do
    [ -r "$t/stat" ] && printf '%s\t%s\n' "${t##*/}" "$(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}')" || true
  done 2>/dev/null | sort
}
before=$(snap)
sleep "$secs"
after=$(snap)
# tid -> name from the JVM (nid=0x...), others by their kernel name
names=$(jcmd "$pid" Thread.print 2>/dev/null | sed -nE 's/^"([^"]*)".* nid=(0x[0-9a-f]+|[0-9]+).*/\2\t\1/p' |
  while IFS=$'\t' read -r nid name; do printf '%d\t%s\n' "$nid" "$name"; done | sort)
join -t $'\t' -a 2 -e 0 -o 0,1.2,2.2 <(echo "$before") <(echo "$after") |
  join -t $'\t' -a 1 -e '?' -o 0,1.2,1.3,2.2 - <(echo "$names") |
  while IFS=$'\t' read -r tid b a name; do
    [ "$name" = '?' ] && name=$(cat /proc/"$pid"/task/"$tid"/comm 2>/dev/null || echo gone)
    printf '%s\t%s\n' "$(echo "$name" | sed -E 's/^hz\.[^.]+\./hz./; s/[0-9]+/N/g')" $((a - b))
  done | awk -F'\t' -v s="$secs" '{g[$1] += $2; t += $2}
    END {for (k in g) if (g[k] > 0) printf "%6.1f%%  %s\n", g[k] / s, k; printf "%6.1f%%  total (%% of one core)\n", t / s}' |
  sort -rn
