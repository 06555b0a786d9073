// mutex: 4 goroutines each increment a shared counter N times (default
// 1,000,000), taking a sync.Mutex around every increment.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
)

var (
	mu      sync.Mutex
	counter int64
)

func work(n int64, wg *sync.WaitGroup) {
	for i := int64(0); i < n; i++ {
		mu.Lock()
		counter++
		mu.Unlock()
	}
	wg.Done()
}

func main() {
	n := int64(1000000)
	if len(os.Args) > 1 {
		n, _ = strconv.ParseInt(os.Args[1], 10, 64)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go work(n, &wg)
	}
	wg.Wait()
	fmt.Println("checksum", counter)
}
