//go:build amd64 && !purego

#include "textflag.h"

// func skipRollsumAMD64(window *byte, n, l int, s1, s2 uint32, filter *uint64, nbits uint64, off uint32) (i int, s1o, s2o uint32)
TEXT ·skipRollsumAMD64(SB), NOSPLIT, $0-72
	MOVQ window+0(FP), SI
	MOVQ n+8(FP), DX
	MOVQ l+16(FP), R8
	MOVL s1+24(FP), R9
	MOVL s2+28(FP), R10
	MOVQ filter+32(FP), R11
	MOVQ nbits+40(FP), R12
	MOVL off+48(FP), R13
	MOVQ $0x9e3779b97f4a7c15, R14
	XORQ CX, CX

loop:
	CMPQ CX, DX
	JGE  done
	// h = (s2<<16 | s1&0xffff) * K
	MOVL    R10, AX
	SHLL    $16, AX
	MOVWLZX R9, BX
	ORL     BX, AX
	IMULQ   R14, AX
	// first probe: f1 = (h>>32) * nbits >> 32
	MOVQ  AX, BX
	SHRQ  $32, BX
	IMULQ R12, BX
	SHRQ  $32, BX
	MOVQ  BX, DI
	SHRQ  $6, DI
	MOVQ  (R11)(DI*8), DI
	BTQ   BX, DI
	JCS   second

roll:
	// s1 += in - out; s2 += s1 - l*out - off
	MOVBLZX (SI)(CX*1), BX
	LEAQ    (SI)(CX*1), DI
	MOVBLZX (DI)(R8*1), DI
	ADDL    DI, R9
	SUBL    BX, R9
	IMULL   R8, BX
	ADDL    R9, R10
	SUBL    BX, R10
	SUBL    R13, R10
	INCQ    CX
	JMP     loop

second:
	// second probe: f2 = (h & 0xffffffff) * nbits >> 32
	MOVL  AX, BX
	IMULQ R12, BX
	SHRQ  $32, BX
	MOVQ  BX, DI
	SHRQ  $6, DI
	MOVQ  (R11)(DI*8), DI
	BTQ   BX, DI
	JCC   roll

done:
	MOVQ CX, i+56(FP)
	MOVL R9, s1o+64(FP)
	MOVL R10, s2o+68(FP)
	RET
