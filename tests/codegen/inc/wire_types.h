struct msg { int id; chan int reply; };
