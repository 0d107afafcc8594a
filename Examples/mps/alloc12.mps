* Stowage example: fixed-lifetime offset allocation of 12 activation buffers
* of a small residual network (sizes in KiB). Minimise the arena height H so
* that buffers alive at the same step do not overlap. One order binary per
* conflicting pair, big-M disjunctions. Optimum: H = 176 (the peak of live bytes).
NAME          ALLOC12
ROWS
 N  height
 L  top0
 L  top1
 L  top2
 L  top3
 L  top4
 L  top5
 L  top6
 L  top7
 L  top8
 L  top9
 L  top10
 L  top11
 L  a0_1
 L  b0_1
 L  a1_2
 L  b1_2
 L  a2_3
 L  b2_3
 L  a2_4
 L  b2_4
 L  a4_5
 L  b4_5
 L  a5_6
 L  b5_6
 L  a5_7
 L  b5_7
 L  a5_8
 L  b5_8
 L  a6_7
 L  b6_7
 L  a7_8
 L  b7_8
 L  a7_9
 L  b7_9
 L  a8_9
 L  b8_9
 L  a8_10
 L  b8_10
 L  a9_10
 L  b9_10
 L  a9_11
 L  b9_11
 L  a10_11
 L  b10_11
COLUMNS
    H         height    1
    H         top0      -1
    H         top1      -1
    H         top2      -1
    H         top3      -1
    H         top4      -1
    H         top5      -1
    H         top6      -1
    H         top7      -1
    H         top8      -1
    H         top9      -1
    H         top10     -1
    H         top11     -1
    o0        top0      1
    o0        a0_1      1
    o0        b0_1      -1
    o1        top1      1
    o1        a0_1      -1
    o1        b0_1      1
    o1        a1_2      1
    o1        b1_2      -1
    o2        top2      1
    o2        a1_2      -1
    o2        b1_2      1
    o2        a2_3      1
    o2        b2_3      -1
    o2        a2_4      1
    o2        b2_4      -1
    o3        top3      1
    o3        a2_3      -1
    o3        b2_3      1
    o4        top4      1
    o4        a2_4      -1
    o4        b2_4      1
    o4        a4_5      1
    o4        b4_5      -1
    o5        top5      1
    o5        a4_5      -1
    o5        b4_5      1
    o5        a5_6      1
    o5        b5_6      -1
    o5        a5_7      1
    o5        b5_7      -1
    o5        a5_8      1
    o5        b5_8      -1
    o6        top6      1
    o6        a5_6      -1
    o6        b5_6      1
    o6        a6_7      1
    o6        b6_7      -1
    o7        top7      1
    o7        a5_7      -1
    o7        b5_7      1
    o7        a6_7      -1
    o7        b6_7      1
    o7        a7_8      1
    o7        b7_8      -1
    o7        a7_9      1
    o7        b7_9      -1
    o8        top8      1
    o8        a5_8      -1
    o8        b5_8      1
    o8        a7_8      -1
    o8        b7_8      1
    o8        a8_9      1
    o8        b8_9      -1
    o8        a8_10     1
    o8        b8_10     -1
    o9        top9      1
    o9        a7_9      -1
    o9        b7_9      1
    o9        a8_9      -1
    o9        b8_9      1
    o9        a9_10     1
    o9        b9_10     -1
    o9        a9_11     1
    o9        b9_11     -1
    o10       top10     1
    o10       a8_10     -1
    o10       b8_10     1
    o10       a9_10     -1
    o10       b9_10     1
    o10       a10_11    1
    o10       b10_11    -1
    o11       top11     1
    o11       a9_11     -1
    o11       b9_11     1
    o11       a10_11    -1
    o11       b10_11    1
    MARKER                 'MARKER'                 'INTORG'
    z0_1      a0_1      680
    z0_1      b0_1      -680
    z1_2      a1_2      680
    z1_2      b1_2      -680
    z2_3      a2_3      680
    z2_3      b2_3      -680
    z2_4      a2_4      680
    z2_4      b2_4      -680
    z4_5      a4_5      680
    z4_5      b4_5      -680
    z5_6      a5_6      680
    z5_6      b5_6      -680
    z5_7      a5_7      680
    z5_7      b5_7      -680
    z5_8      a5_8      680
    z5_8      b5_8      -680
    z6_7      a6_7      680
    z6_7      b6_7      -680
    z7_8      a7_8      680
    z7_8      b7_8      -680
    z7_9      a7_9      680
    z7_9      b7_9      -680
    z8_9      a8_9      680
    z8_9      b8_9      -680
    z8_10     a8_10     680
    z8_10     b8_10     -680
    z9_10     a9_10     680
    z9_10     b9_10     -680
    z9_11     a9_11     680
    z9_11     b9_11     -680
    z10_11    a10_11    680
    z10_11    b10_11    -680
    MARKER                 'MARKER'                 'INTEND'
RHS
    RHS       top0      -96
    RHS       top1      -64
    RHS       top2      -64
    RHS       top3      -32
    RHS       top4      -48
    RHS       top5      -48
    RHS       top6      -96
    RHS       top7      -32
    RHS       top8      -40
    RHS       top9      -56
    RHS       top10     -24
    RHS       top11     -80
    RHS       a0_1      584
    RHS       b0_1      -64
    RHS       a1_2      616
    RHS       b1_2      -64
    RHS       a2_3      616
    RHS       b2_3      -32
    RHS       a2_4      616
    RHS       b2_4      -48
    RHS       a4_5      632
    RHS       b4_5      -48
    RHS       a5_6      632
    RHS       b5_6      -96
    RHS       a5_7      632
    RHS       b5_7      -32
    RHS       a5_8      632
    RHS       b5_8      -40
    RHS       a6_7      584
    RHS       b6_7      -32
    RHS       a7_8      648
    RHS       b7_8      -40
    RHS       a7_9      648
    RHS       b7_9      -56
    RHS       a8_9      640
    RHS       b8_9      -56
    RHS       a8_10     640
    RHS       b8_10     -24
    RHS       a9_10     624
    RHS       b9_10     -24
    RHS       a9_11     624
    RHS       b9_11     -80
    RHS       a10_11    656
    RHS       b10_11    -80
BOUNDS
 UP BND       z0_1  1
 UP BND       z1_2  1
 UP BND       z2_3  1
 UP BND       z2_4  1
 UP BND       z4_5  1
 UP BND       z5_6  1
 UP BND       z5_7  1
 UP BND       z5_8  1
 UP BND       z6_7  1
 UP BND       z7_8  1
 UP BND       z7_9  1
 UP BND       z8_9  1
 UP BND       z8_10  1
 UP BND       z9_10  1
 UP BND       z9_11  1
 UP BND       z10_11  1
ENDATA
