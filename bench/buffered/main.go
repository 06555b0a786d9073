// buffered: one producer sends N integers (default 10,000,000) through a
// channel with a buffer of 128; the consumer sums them.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	n := int64(10000000)
	if len(os.Args) > 1 {
		n, _ = strconv.ParseInt(os.Args[1], 10, 64)
	}
	c := make(chan int64, 128)
	go func() {
		for i := int64(0); i < n; i++ {
			c <- i
		}
		close(c)
	}()
	var sum int64
	for v := range c {
		sum += v
	}
	fmt.Println("checksum", sum)
}
