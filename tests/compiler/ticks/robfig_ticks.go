// Argo's own cron library (robfig/cron v3.0.1, as Argo 4.1 uses it) lists the ticks of CronWorkflow schedules, for
// tests/compiler/ticks/test_robfig_go.py. Input lines: "<timezone>\t<entry>|<entry>...\t<start unix>\t<end unix>";
// output: one line per input, the union of the entries' ticks in (start, end) as space-separated Unix seconds.
package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron"
)

func main() {
	parser := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for scanner.Scan() {
		fields := strings.Split(scanner.Text(), "\t")
		start, _ := strconv.ParseInt(fields[2], 10, 64)
		end, _ := strconv.ParseInt(fields[3], 10, 64)
		ticks := map[int64]bool{}
		for _, entry := range strings.Split(fields[1], "|") {
			schedule, err := parser.Parse("CRON_TZ=" + fields[0] + " " + entry)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			tick := schedule.Next(time.Unix(start, 0))
			for !tick.IsZero() && tick.Unix() < end {
				ticks[tick.Unix()] = true
				next := schedule.Next(tick)
				// Go's runner calls Next again, with a later `now`, until it passes the tick (robfig.py `_following`)
				for probe := tick.Unix() + 60; !next.IsZero() && !next.After(tick) && probe < tick.Unix()+86400; probe += 60 {
					next = schedule.Next(time.Unix(probe, 0))
				}
				tick = next
			}
		}
		sorted := make([]int64, 0, len(ticks))
		for tick := range ticks {
			sorted = append(sorted, tick)
		}
		sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
		words := make([]string, len(sorted))
		for i, tick := range sorted {
			words[i] = strconv.FormatInt(tick, 10)
		}
		fmt.Fprintln(out, strings.Join(words, " "))
	}
}
