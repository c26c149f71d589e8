/* fpbench.c: a floating-point benchmark: an n-body style loop in double, with sqrt and libm. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long steps = argc > 1 ? atol(argv[1]) : 200000;
    enum { N = 8 };
    double px[N], py[N], vx[N], vy[N], m[N];
    for (int i = 0; i < N; i++)
        px[i] = cos(i * 0.7) * (i + 1), py[i] = sin(i * 0.7) * (i + 1), vx[i] = -py[i] * 0.1,
        vy[i] = px[i] * 0.1, m[i] = 1.0 + i * 0.25;
    for (long s = 0; s < steps; s++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                if (i == j)
                    continue;
                double dx = px[j] - px[i], dy = py[j] - py[i];
                double d2 = dx * dx + dy * dy + 0.01, inv = m[j] / (d2 * sqrt(d2));
                vx[i] += dx * inv * 1e-4, vy[i] += dy * inv * 1e-4;
            }
        for (int i = 0; i < N; i++)
            px[i] += vx[i] * 1e-2, py[i] += vy[i] * 1e-2;
    }
    double e = 0;
    for (int i = 0; i < N; i++)
        e += 0.5 * m[i] * (vx[i] * vx[i] + vy[i] * vy[i]) + exp(-fabs(px[i])) + log1p(fabs(py[i]));
    printf("%.12g\n", e);
    return 0;
}
