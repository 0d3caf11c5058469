// MD4 block function for amd64. The same algorithm, in the same step order,
// is written in Go in md4block.go; TestBlockImplementations keeps the two
// equal.

//go:build amd64 && !purego

#include "textflag.h"

// MD4 compression over whole 64-byte blocks, fully unrolled. The step chain
// is latency-bound (4 + 3 + 3 cycles a step over the three rounds, about 160
// cycles a block), so the aim is the shortest dependency path, not fewer
// instructions.
//
// Registers: AX, BX, CX, DX hold the state words a, b, c, d; SI points at the
// current block and DI at the end of the last whole block; R8 and R9 are
// temporaries; R10-R13 keep the state from before the block.
//
// Each step's only input from the step before is its b operand, so the
// boolean function is arranged to touch b as late as possible:
//   round 1: F = d ^ (b & (c ^ d))            (4-cycle step)
//   round 2: G = (c & d) + (b & (c ^ d))      (terms are disjoint; 3 cycles)
//   round 3: H = b ^ (c ^ d)                  (3 cycles)

#define ROUND1(a, b, c, d, k, s) \
	MOVL c, R8; \
	ADDL (k*4)(SI), a; \
	XORL d, R8; \
	ANDL b, R8; \
	XORL d, R8; \
	ADDL R8, a; \
	ROLL $s, a

#define ROUND2(a, b, c, d, k, s) \
	MOVL c, R8; \
	MOVL c, R9; \
	ADDL (k*4)(SI), a; \
	ANDL d, R8; \
	XORL d, R9; \
	LEAL 0x5a827999(a)(R8*1), a; \
	ANDL b, R9; \
	ADDL R9, a; \
	ROLL $s, a

#define ROUND3(a, b, c, d, k, s) \
	MOVL c, R8; \
	ADDL (k*4)(SI), a; \
	XORL d, R8; \
	ADDL $0x6ed9eba1, a; \
	XORL b, R8; \
	ADDL R8, a; \
	ROLL $s, a

// func block(s *[4]uint32, p []byte)
TEXT ·block(SB), NOSPLIT, $0-32
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), DI
	ANDQ $~63, DI
	JZ   done
	ADDQ SI, DI
	MOVQ s+0(FP), R8
	MOVL 0(R8), AX
	MOVL 4(R8), BX
	MOVL 8(R8), CX
	MOVL 12(R8), DX

loop:
	MOVL AX, R10
	MOVL BX, R11
	MOVL CX, R12
	MOVL DX, R13

	ROUND1(AX, BX, CX, DX, 0, 3)
	ROUND1(DX, AX, BX, CX, 1, 7)
	ROUND1(CX, DX, AX, BX, 2, 11)
	ROUND1(BX, CX, DX, AX, 3, 19)
	ROUND1(AX, BX, CX, DX, 4, 3)
	ROUND1(DX, AX, BX, CX, 5, 7)
	ROUND1(CX, DX, AX, BX, 6, 11)
	ROUND1(BX, CX, DX, AX, 7, 19)
	ROUND1(AX, BX, CX, DX, 8, 3)
	ROUND1(DX, AX, BX, CX, 9, 7)
	ROUND1(CX, DX, AX, BX, 10, 11)
	ROUND1(BX, CX, DX, AX, 11, 19)
	ROUND1(AX, BX, CX, DX, 12, 3)
	ROUND1(DX, AX, BX, CX, 13, 7)
	ROUND1(CX, DX, AX, BX, 14, 11)
	ROUND1(BX, CX, DX, AX, 15, 19)

	ROUND2(AX, BX, CX, DX, 0, 3)
	ROUND2(DX, AX, BX, CX, 4, 5)
	ROUND2(CX, DX, AX, BX, 8, 9)
	ROUND2(BX, CX, DX, AX, 12, 13)
	ROUND2(AX, BX, CX, DX, 1, 3)
	ROUND2(DX, AX, BX, CX, 5, 5)
	ROUND2(CX, DX, AX, BX, 9, 9)
	ROUND2(BX, CX, DX, AX, 13, 13)
	ROUND2(AX, BX, CX, DX, 2, 3)
	ROUND2(DX, AX, BX, CX, 6, 5)
	ROUND2(CX, DX, AX, BX, 10, 9)
	ROUND2(BX, CX, DX, AX, 14, 13)
	ROUND2(AX, BX, CX, DX, 3, 3)
	ROUND2(DX, AX, BX, CX, 7, 5)
	ROUND2(CX, DX, AX, BX, 11, 9)
	ROUND2(BX, CX, DX, AX, 15, 13)

	ROUND3(AX, BX, CX, DX, 0, 3)
	ROUND3(DX, AX, BX, CX, 8, 9)
	ROUND3(CX, DX, AX, BX, 4, 11)
	ROUND3(BX, CX, DX, AX, 12, 15)
	ROUND3(AX, BX, CX, DX, 2, 3)
	ROUND3(DX, AX, BX, CX, 10, 9)
	ROUND3(CX, DX, AX, BX, 6, 11)
	ROUND3(BX, CX, DX, AX, 14, 15)
	ROUND3(AX, BX, CX, DX, 1, 3)
	ROUND3(DX, AX, BX, CX, 9, 9)
	ROUND3(CX, DX, AX, BX, 5, 11)
	ROUND3(BX, CX, DX, AX, 13, 15)
	ROUND3(AX, BX, CX, DX, 3, 3)
	ROUND3(DX, AX, BX, CX, 11, 9)
	ROUND3(CX, DX, AX, BX, 7, 11)
	ROUND3(BX, CX, DX, AX, 15, 15)

	ADDL R10, AX
	ADDL R11, BX
	ADDL R12, CX
	ADDL R13, DX
	ADDQ $64, SI
	CMPQ SI, DI
	JB   loop

	MOVQ s+0(FP), R8
	MOVL AX, 0(R8)
	MOVL BX, 4(R8)
	MOVL CX, 8(R8)
	MOVL DX, 12(R8)

done:
	RET
