void broken(chan int c)
{
    c <- 1
}
