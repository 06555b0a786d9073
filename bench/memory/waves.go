// memory/waves: the Go twin of waves.gc.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"strings"
)

// Peak RSS of this process image: VmHWM (ru_maxrss would start at the peak of
// whatever process exec'd us).
func maxrssKiB() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(l, "VmHWM:"), "kB")), 10, 64)
			return n
		}
	}
	return -1
}

func main() {
	n := int64(4000000)
	if len(os.Args) > 1 {
		n, _ = strconv.ParseInt(os.Args[1], 10, 64)
	}
	const wave = 10000
	var total int64
	for done := int64(0); done < n; {
		var wg sync.WaitGroup
		wg.Add(wave)
		for k := int64(0); k < wave; k++ {
			go func(i int64) {
				atomic.AddInt64(&total, i)
				wg.Done()
			}(done + k)
		}
		wg.Wait()
		done += wave
		if done == n/4 || done == n/2 || done == n {
			fmt.Printf("rss %d KiB at %d\n", maxrssKiB(), done)
		}
	}
	fmt.Println("checksum", total)
}
