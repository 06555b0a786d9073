// memory/reqreply: the Go twin of reqreply.gc (the collector frees the reply channels).
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

type request struct {
	n     int64
	reply chan int64
}

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
	reqs := make(chan request)
	go func() {
		for r := range reqs {
			r.reply <- r.n + 1
		}
	}()
	var sum int64
	for i := int64(1); i <= n; i++ {
		reply := make(chan int64, 1)
		reqs <- request{i, reply}
		sum += <-reply
		if i == n/4 || i == n/2 || i == n {
			fmt.Printf("rss %d KiB at %d\n", maxrssKiB(), i)
		}
	}
	close(reqs)
	fmt.Println("checksum", sum)
}
