// spawn: start N goroutines (default 1,000,000); each one adds its index to a
// shared atomic total and calls Done on a WaitGroup; main waits for them all.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
)

var total int64

func worker(i int64, wg *sync.WaitGroup) {
	atomic.AddInt64(&total, i)
	wg.Done()
}

func main() {
	n := int64(1000000)
	if len(os.Args) > 1 {
		n, _ = strconv.ParseInt(os.Args[1], 10, 64)
	}
	var wg sync.WaitGroup
	for i := int64(0); i < n; i++ {
		wg.Add(1)
		go worker(i, &wg)
	}
	wg.Wait()
	fmt.Println("checksum", atomic.LoadInt64(&total))
}
