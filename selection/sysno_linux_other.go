//go:build linux && !amd64 && !arm64

package selection

// sysFstatat is negative where lstatAt leaves fstatat to x/sys/unix (its
// struct and call number vary on these architectures).
const sysFstatat = -1
