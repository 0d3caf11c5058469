// Multi-buffer MD4 for amd64: eight independent messages at once, one per
// 32-bit lane of a YMM register. Only the compression function is here;
// sumblocks.go does the padding and the digest layout.

//go:build amd64 && !purego

#include "textflag.h"

// Frame layout (hardware SP):
//   0..511    the chunk's 16 message words, transposed: word k of all eight
//             lanes is the 32-byte vector at k*32(SP)
//   512..639  the state from before the chunk (a, b, c, d; 32 bytes each)
#define SAVE 512

// Registers:
//   AX, BX, CX, DX  lanes 0-3 pointers;  SI, DI, R8, R9  lanes 4-7 pointers
//   R10  offset of the current chunk in every lane;  R11  end offset
//   Y0-Y3  state a, b, c, d;  Y4-Y11  temporaries
//   Y14, Y15  round 2 and round 3 constants

// LOAD4 transposes message words 4q..4q+3 (bytes 16q..16q+15 of the chunk)
// of the eight lanes into four vectors on the stack. Each YMM row holds lane
// i in its low half and lane i+4 in its high half, so the in-lane 4x4
// transpose of the unpack instructions leaves the lanes in order 0..7.
#define LOAD4(q) \
	VMOVDQU     (q*16)(AX)(R10*1), X4; \
	VINSERTI128 $1, (q*16)(SI)(R10*1), Y4, Y4; \
	VMOVDQU     (q*16)(BX)(R10*1), X5; \
	VINSERTI128 $1, (q*16)(DI)(R10*1), Y5, Y5; \
	VMOVDQU     (q*16)(CX)(R10*1), X6; \
	VINSERTI128 $1, (q*16)(R8)(R10*1), Y6, Y6; \
	VMOVDQU     (q*16)(DX)(R10*1), X7; \
	VINSERTI128 $1, (q*16)(R9)(R10*1), Y7, Y7; \
	VPUNPCKLDQ  Y5, Y4, Y8; \
	VPUNPCKHDQ  Y5, Y4, Y9; \
	VPUNPCKLDQ  Y7, Y6, Y10; \
	VPUNPCKHDQ  Y7, Y6, Y11; \
	VPUNPCKLQDQ Y10, Y8, Y4; \
	VPUNPCKHQDQ Y10, Y8, Y5; \
	VPUNPCKLQDQ Y11, Y9, Y6; \
	VPUNPCKHQDQ Y11, Y9, Y7; \
	VMOVDQU     Y4, ((q*4+0)*32)(SP); \
	VMOVDQU     Y5, ((q*4+1)*32)(SP); \
	VMOVDQU     Y6, ((q*4+2)*32)(SP); \
	VMOVDQU     Y7, ((q*4+3)*32)(SP)

#define LOADCHUNK \
	LOAD4(0); \
	LOAD4(1); \
	LOAD4(2); \
	LOAD4(3); \
	VMOVDQU Y0, (SAVE+0)(SP); \
	VMOVDQU Y1, (SAVE+32)(SP); \
	VMOVDQU Y2, (SAVE+64)(SP); \
	VMOVDQU Y3, (SAVE+96)(SP)

#define ADDSAVED \
	VPADDD (SAVE+0)(SP), Y0, Y0; \
	VPADDD (SAVE+32)(SP), Y1, Y1; \
	VPADDD (SAVE+64)(SP), Y2, Y2; \
	VPADDD (SAVE+96)(SP), Y3, Y3

// AVX2 steps. The message word (and constant) join a before b is needed;
// b, the previous step's result, is touched as late as possible.
//   round 1: F = d ^ (b & (c ^ d))
//   round 2: G = (c & d) + (b & (c ^ d))   (disjoint terms)
//   round 3: H = b ^ (c ^ d)
#define ROTL(a, s) \
	VPSLLD $s, a, Y5; \
	VPSRLD $(32-s), a, a; \
	VPOR   Y5, a, a

#define R1(a, b, c, d, k, s) \
	VPADDD (k*32)(SP), a, a; \
	VPXOR  c, d, Y4; \
	VPAND  b, Y4, Y4; \
	VPXOR  d, Y4, Y4; \
	VPADDD Y4, a, a; \
	ROTL(a, s)

#define R2(a, b, c, d, k, s) \
	VPADDD (k*32)(SP), a, a; \
	VPAND  c, d, Y6; \
	VPADDD Y14, a, a; \
	VPXOR  c, d, Y4; \
	VPADDD Y6, a, a; \
	VPAND  b, Y4, Y4; \
	VPADDD Y4, a, a; \
	ROTL(a, s)

#define R3(a, b, c, d, k, s) \
	VPADDD (k*32)(SP), a, a; \
	VPXOR  c, d, Y4; \
	VPADDD Y15, a, a; \
	VPXOR  b, Y4, Y4; \
	VPADDD Y4, a, a; \
	ROTL(a, s)

// AVX-512VL steps on the same YMM registers: one VPTERNLOGD for the boolean
// function and one VPROLD for the rotation.
//   0xCA: b ? c : d    0xE8: majority(b, c, d)    0x96: b ^ c ^ d
#define T1(a, b, c, d, k, s) \
	VPADDD     (k*32)(SP), a, a; \
	VMOVDQU    b, Y4; \
	VPTERNLOGD $0xCA, d, c, Y4; \
	VPADDD     Y4, a, a; \
	VPROLD     $s, a, a

#define T2(a, b, c, d, k, s) \
	VPADDD     (k*32)(SP), a, a; \
	VMOVDQU    b, Y4; \
	VPADDD     Y14, a, a; \
	VPTERNLOGD $0xE8, d, c, Y4; \
	VPADDD     Y4, a, a; \
	VPROLD     $s, a, a

#define T3(a, b, c, d, k, s) \
	VPADDD     (k*32)(SP), a, a; \
	VMOVDQU    b, Y4; \
	VPADDD     Y15, a, a; \
	VPTERNLOGD $0x96, d, c, Y4; \
	VPADDD     Y4, a, a; \
	VPROLD     $s, a, a

#define ROUNDS(F1, F2, F3) \
	F1(Y0, Y1, Y2, Y3, 0, 3); \
	F1(Y3, Y0, Y1, Y2, 1, 7); \
	F1(Y2, Y3, Y0, Y1, 2, 11); \
	F1(Y1, Y2, Y3, Y0, 3, 19); \
	F1(Y0, Y1, Y2, Y3, 4, 3); \
	F1(Y3, Y0, Y1, Y2, 5, 7); \
	F1(Y2, Y3, Y0, Y1, 6, 11); \
	F1(Y1, Y2, Y3, Y0, 7, 19); \
	F1(Y0, Y1, Y2, Y3, 8, 3); \
	F1(Y3, Y0, Y1, Y2, 9, 7); \
	F1(Y2, Y3, Y0, Y1, 10, 11); \
	F1(Y1, Y2, Y3, Y0, 11, 19); \
	F1(Y0, Y1, Y2, Y3, 12, 3); \
	F1(Y3, Y0, Y1, Y2, 13, 7); \
	F1(Y2, Y3, Y0, Y1, 14, 11); \
	F1(Y1, Y2, Y3, Y0, 15, 19); \
	F2(Y0, Y1, Y2, Y3, 0, 3); \
	F2(Y3, Y0, Y1, Y2, 4, 5); \
	F2(Y2, Y3, Y0, Y1, 8, 9); \
	F2(Y1, Y2, Y3, Y0, 12, 13); \
	F2(Y0, Y1, Y2, Y3, 1, 3); \
	F2(Y3, Y0, Y1, Y2, 5, 5); \
	F2(Y2, Y3, Y0, Y1, 9, 9); \
	F2(Y1, Y2, Y3, Y0, 13, 13); \
	F2(Y0, Y1, Y2, Y3, 2, 3); \
	F2(Y3, Y0, Y1, Y2, 6, 5); \
	F2(Y2, Y3, Y0, Y1, 10, 9); \
	F2(Y1, Y2, Y3, Y0, 14, 13); \
	F2(Y0, Y1, Y2, Y3, 3, 3); \
	F2(Y3, Y0, Y1, Y2, 7, 5); \
	F2(Y2, Y3, Y0, Y1, 11, 9); \
	F2(Y1, Y2, Y3, Y0, 15, 13); \
	F3(Y0, Y1, Y2, Y3, 0, 3); \
	F3(Y3, Y0, Y1, Y2, 8, 9); \
	F3(Y2, Y3, Y0, Y1, 4, 11); \
	F3(Y1, Y2, Y3, Y0, 12, 15); \
	F3(Y0, Y1, Y2, Y3, 2, 3); \
	F3(Y3, Y0, Y1, Y2, 10, 9); \
	F3(Y2, Y3, Y0, Y1, 6, 11); \
	F3(Y1, Y2, Y3, Y0, 14, 15); \
	F3(Y0, Y1, Y2, Y3, 1, 3); \
	F3(Y3, Y0, Y1, Y2, 9, 9); \
	F3(Y2, Y3, Y0, Y1, 5, 11); \
	F3(Y1, Y2, Y3, Y0, 13, 15); \
	F3(Y0, Y1, Y2, Y3, 3, 3); \
	F3(Y3, Y0, Y1, Y2, 11, 9); \
	F3(Y2, Y3, Y0, Y1, 7, 11); \
	F3(Y1, Y2, Y3, Y0, 15, 15)

// PROLOGUE loads the lane pointers, the state and the constants; it jumps to
// label done if there is nothing to do.
#define PROLOGUE(done) \
	MOVQ         n+16(FP), R11; \
	SHLQ         $6, R11; \
	JZ           done; \
	MOVQ         p+8(FP), R12; \
	MOVQ         0(R12), AX; \
	MOVQ         8(R12), BX; \
	MOVQ         16(R12), CX; \
	MOVQ         24(R12), DX; \
	MOVQ         32(R12), SI; \
	MOVQ         40(R12), DI; \
	MOVQ         48(R12), R8; \
	MOVQ         56(R12), R9; \
	MOVQ         s+0(FP), R12; \
	VMOVDQU      0(R12), Y0; \
	VMOVDQU      32(R12), Y1; \
	VMOVDQU      64(R12), Y2; \
	VMOVDQU      96(R12), Y3; \
	VPBROADCASTD k2<>(SB), Y14; \
	VPBROADCASTD k3<>(SB), Y15; \
	XORQ         R10, R10

#define EPILOGUE \
	VMOVDQU Y0, 0(R12); \
	VMOVDQU Y1, 32(R12); \
	VMOVDQU Y2, 64(R12); \
	VMOVDQU Y3, 96(R12); \
	VZEROUPPER

// func blocks8AVX2(s *[4][8]uint32, p *[8]*byte, n int)
TEXT ·blocks8AVX2(SB), 0, $640-24
	PROLOGUE(avx2done)

avx2loop:
	LOADCHUNK
	ROUNDS(R1, R2, R3)
	ADDSAVED
	ADDQ $64, R10
	CMPQ R10, R11
	JB   avx2loop

	EPILOGUE

avx2done:
	RET

// func blocks8AVX512(s *[4][8]uint32, p *[8]*byte, n int)
TEXT ·blocks8AVX512(SB), 0, $640-24
	PROLOGUE(avx512done)

avx512loop:
	LOADCHUNK
	ROUNDS(T1, T2, T3)
	ADDSAVED
	ADDQ $64, R10
	CMPQ R10, R11
	JB   avx512loop

	EPILOGUE

avx512done:
	RET

DATA k2<>+0(SB)/4, $0x5a827999
GLOBL k2<>(SB), RODATA|NOPTR, $4
DATA k3<>+0(SB)/4, $0x6ed9eba1
GLOBL k3<>(SB), RODATA|NOPTR, $4
