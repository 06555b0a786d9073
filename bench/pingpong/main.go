// pingpong: two goroutines bounce a counter over two unbuffered channels,
// N round trips (default 2,000,000).
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	n := int64(2000000)
	if len(os.Args) > 1 {
		n, _ = strconv.ParseInt(os.Args[1], 10, 64)
	}
	ping := make(chan int64)
	pong := make(chan int64)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	var sum int64
	for i := int64(0); i < n; i++ {
		ping <- i
		sum += <-pong
	}
	close(ping)
	fmt.Println("checksum", sum)
}
