// memory/timeout: the Go twin of timeout.gc.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
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
	ready := make(chan int64, 1)
	var sum, timeouts int64
	for i := int64(1); i <= n; i++ {
		ready <- i
		select {
		case v := <-ready:
			sum += v
		case <-time.After(time.Second):
			timeouts++
		}
		if i == n/4 || i == n/2 || i == n {
			fmt.Printf("rss %d KiB at %d\n", maxrssKiB(), i)
		}
	}
	fmt.Println("checksum", sum, timeouts)
}
