// selectfanin: 4 producers each send N values (default 1,000,000) on their own
// unbuffered channel and close it; one consumer selects over the four channels,
// turning a closed one into nil, until all four are done.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func produce(c chan<- int64, base, n int64) {
	for i := int64(0); i < n; i++ {
		c <- base + i
	}
	close(c)
}

func main() {
	n := int64(1000000)
	if len(os.Args) > 1 {
		n, _ = strconv.ParseInt(os.Args[1], 10, 64)
	}
	var cs [4]chan int64
	for p := range cs {
		cs[p] = make(chan int64)
		go produce(cs[p], int64(p)*n, n)
	}
	c0, c1, c2, c3 := cs[0], cs[1], cs[2], cs[3]
	var sum, count int64
	open := 4
	for open > 0 {
		var v int64
		var ok bool
		select {
		case v, ok = <-c0:
			if !ok {
				c0 = nil
			}
		case v, ok = <-c1:
			if !ok {
				c1 = nil
			}
		case v, ok = <-c2:
			if !ok {
				c2 = nil
			}
		case v, ok = <-c3:
			if !ok {
				c3 = nil
			}
		}
		if ok {
			sum += v
			count++
		} else {
			open--
		}
	}
	fmt.Println("checksum", count, sum)
}
