package selection

import "golang.org/x/sys/unix"

// sysFstatat is the fstatat system call whose struct is unix.Stat_t.
const sysFstatat = unix.SYS_NEWFSTATAT
