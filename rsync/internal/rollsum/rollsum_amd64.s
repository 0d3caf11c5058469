// SIMD rollsum (AVX2, or SSSE3 on older CPUs) over whole 64-byte steps;
// rollsum.go adds the rest and the offsets.

//go:build amd64 && !purego

#include "textflag.h"

// For a 64-byte step with bytes x_0..x_63 and the sums S1, S2 so far:
//   S2 += 64*S1 + sum of (64-j)*x_j
//   S1 += sum of x_j
// Per lane, Y0 accumulates the byte sums (VPSADBW), Y1 the running S1 before
// each step (so S2 gets 64 times it at the end) and Y2 the weighted sums
// (VPMADDUBSW with weights 64..33 and 32..1, then VPMADDWD with ones: no
// 16-bit saturation since 255*64 + 255*63 < 32768). All adds wrap modulo
// 2^32, as in the byte loop.
//
// func sumAVX2(p []byte) (s1, s2 uint32)
TEXT ·sumAVX2(SB), NOSPLIT, $0-32
	MOVQ p_base+0(FP), SI
	MOVQ p_len+8(FP), CX
	ANDQ $~63, CX
	ADDQ SI, CX
	VPXOR   Y0, Y0, Y0
	VPXOR   Y1, Y1, Y1
	VPXOR   Y2, Y2, Y2
	VPXOR   Y15, Y15, Y15
	VMOVDQU weights<>+0(SB), Y14
	VMOVDQU weights<>+32(SB), Y13
	VPCMPEQW Y12, Y12, Y12
	VPSRLW  $15, Y12, Y12 // 16-bit ones
	CMPQ SI, CX
	JAE  done

loop:
	VMOVDQU    0(SI), Y3
	VMOVDQU    32(SI), Y4
	VPADDD     Y0, Y1, Y1
	VPSADBW    Y15, Y3, Y5
	VPSADBW    Y15, Y4, Y6
	VPMADDUBSW Y14, Y3, Y3
	VPMADDUBSW Y13, Y4, Y4
	VPADDD     Y6, Y5, Y5
	VPMADDWD   Y12, Y3, Y3
	VPMADDWD   Y12, Y4, Y4
	VPADDD     Y5, Y0, Y0
	VPADDD     Y4, Y3, Y3
	VPADDD     Y3, Y2, Y2
	ADDQ       $64, SI
	CMPQ       SI, CX
	JB         loop

done:
	// s2 = 64*hsum(Y1) + hsum(Y2); s1 = hsum(Y0).
	VPSLLD       $6, Y1, Y1
	VPADDD       Y1, Y2, Y2
	VEXTRACTI128 $1, Y0, X3
	VEXTRACTI128 $1, Y2, X4
	VPADDD       X3, X0, X0
	VPADDD       X4, X2, X2
	VPSHUFD      $0x4e, X0, X3
	VPSHUFD      $0x4e, X2, X4
	VPADDD       X3, X0, X0
	VPADDD       X4, X2, X2
	VPSHUFD      $0xb1, X0, X3
	VPSHUFD      $0xb1, X2, X4
	VPADDD       X3, X0, X0
	VPADDD       X4, X2, X2
	VMOVD        X0, AX
	VMOVD        X2, BX
	MOVL         AX, s1+24(FP)
	MOVL         BX, s2+28(FP)
	VZEROUPPER
	RET

// sumSSSE3 is sumAVX2 with 16-byte registers: the same 64-byte step in
// four loads, with weights 64..49, 48..33, 32..17 and 16..1.
//
// func sumSSSE3(p []byte) (s1, s2 uint32)
TEXT ·sumSSSE3(SB), NOSPLIT, $0-32
	MOVQ    p_base+0(FP), SI
	MOVQ    p_len+8(FP), CX
	ANDQ    $~63, CX
	ADDQ    SI, CX
	PXOR    X0, X0
	PXOR    X1, X1
	PXOR    X2, X2
	PXOR    X15, X15
	MOVOU   weights<>+0(SB), X8
	MOVOU   weights<>+16(SB), X9
	MOVOU   weights<>+32(SB), X10
	MOVOU   weights<>+48(SB), X11
	PCMPEQW X12, X12
	PSRLW   $15, X12 // 16-bit ones
	CMPQ    SI, CX
	JAE     ssedone

sseloop:
	MOVOU     0(SI), X3
	MOVOU     16(SI), X4
	MOVOU     32(SI), X5
	MOVOU     48(SI), X6
	PADDL     X0, X1
	MOVO      X3, X7
	PSADBW    X15, X7
	PADDL     X7, X0
	MOVO      X4, X7
	PSADBW    X15, X7
	PADDL     X7, X0
	MOVO      X5, X7
	PSADBW    X15, X7
	PADDL     X7, X0
	MOVO      X6, X7
	PSADBW    X15, X7
	PADDL     X7, X0
	PMADDUBSW X8, X3
	PMADDUBSW X9, X4
	PMADDUBSW X10, X5
	PMADDUBSW X11, X6
	PMADDWL   X12, X3
	PMADDWL   X12, X4
	PMADDWL   X12, X5
	PMADDWL   X12, X6
	PADDL     X4, X3
	PADDL     X6, X5
	PADDL     X3, X2
	PADDL     X5, X2
	ADDQ      $64, SI
	CMPQ      SI, CX
	JB        sseloop

ssedone:
	PSLLL  $6, X1
	PADDL  X1, X2
	PSHUFD $0x4e, X0, X3
	PSHUFD $0x4e, X2, X4
	PADDL  X3, X0
	PADDL  X4, X2
	PSHUFD $0xb1, X0, X3
	PSHUFD $0xb1, X2, X4
	PADDL  X3, X0
	PADDL  X4, X2
	MOVQ   X0, AX
	MOVQ   X2, BX
	MOVL   AX, s1+24(FP)
	MOVL   BX, s2+28(FP)
	RET

// Bytes 64, 63, ..., 1: the weight of byte j of a 64-byte step.
DATA weights<>+0(SB)/8, $0x393a3b3c3d3e3f40
DATA weights<>+8(SB)/8, $0x3132333435363738
DATA weights<>+16(SB)/8, $0x292a2b2c2d2e2f30
DATA weights<>+24(SB)/8, $0x2122232425262728
DATA weights<>+32(SB)/8, $0x191a1b1c1d1e1f20
DATA weights<>+40(SB)/8, $0x1112131415161718
DATA weights<>+48(SB)/8, $0x090a0b0c0d0e0f10
DATA weights<>+56(SB)/8, $0x0102030405060708
GLOBL weights<>(SB), RODATA|NOPTR, $64
