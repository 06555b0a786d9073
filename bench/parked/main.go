// parked: start N goroutines (default 1,000,000) that all block receiving on
// one channel; once every one is parked, close the channel and wait for them
// to finish. The runner divides the peak RSS by N.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
)

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	release := make(chan int)
	var started, finished sync.WaitGroup
	var sum int64
	started.Add(n)
	finished.Add(n)
	for i := 0; i < n; i++ {
		go func(id int) {
			started.Done()
			v := <-release // parked here until main closes release
			atomic.AddInt64(&sum, int64(id+v))
			finished.Done()
		}(i)
	}
	started.Wait()
	close(release)
	finished.Wait()
	fmt.Println("checksum", n, sum)
}
