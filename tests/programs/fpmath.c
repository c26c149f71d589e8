/* fpmath.c: float/double/long double printf and scanf, strtod, libm, in many rounding-sensitive cases. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const double vals[] = {0.0, -0.0, 1.0, -1.5, 3.141592653589793, 1e-310, 1e308, 2.5e-7, 123456.789,
                              0.1, 1.0 / 3.0, 6.02214076e23, -2.718281828459045};

static void print_doubles(void)
{
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        double d = vals[i];
        float f = (float)d;
        long double l = (long double)d * 1.0000000001L;
        printf("%g %.17g %e %a | %f %.9g | %.21Lg %La\n", d, d, d, d, (double)f, f, l, l);
    }
    printf("%g %g %g %Lg\n", INFINITY, -INFINITY, NAN, (long double)-INFINITY);
}

static void libm(void)
{
    for (double x = -3.0; x <= 3.0; x += 0.375) {
        printf("x=%g sin=%.17g cos=%.17g exp=%.17g atan=%.17g", x, sin(x), cos(x), exp(x), atan(x));
        if (x > 0)
            printf(" log=%.17g sqrt=%.17g pow=%.17g", log(x), sqrt(x), pow(x, 2.5));
        printf(" fmod=%.17g floor=%g ceil=%g round=%g\n", fmod(x * 7.3, 2.1), floor(x), ceil(x), round(x));
    }
    long double lx = 2.0L;
    printf("sqrtl=%.21Lg expl=%.21Lg logl=%.21Lg sinl=%.21Lg powl=%.21Lg\n", sqrtl(lx), expl(lx), logl(lx), sinl(lx),
           powl(lx, 0.3L));
    printf("sinf=%.9g expf=%.9g logf=%.9g powf=%.9g\n", sinf(0.5f), expf(1.5f), logf(7.0f), powf(2.0f, 0.5f));
}

static void parse(void)
{
    const char *in[] = {"3.14159", "-2.5e-3", "1e400", "0x1.8p1", "inf", "nan", "  42abc", "1.7976931348623157e308",
                        "4.9e-324", "0.30000000000000004"};
    for (unsigned i = 0; i < sizeof in / sizeof in[0]; i++) {
        char *end;
        double d = strtod(in[i], &end);
        long double l = strtold(in[i], NULL);
        float f = strtof(in[i], NULL);
        printf("strtod(%s)=%.17g rest=[%s] strtold=%.21Lg strtof=%.9g\n", in[i], d, end, l, f);
    }
    double a;
    float b;
    long double c;
    int n = sscanf("1.25 -3.5e2 2.000000000000000000001", "%lf %f %Lf", &a, &b, &c);
    printf("sscanf %d: %g %g %.21Lg\n", n, a, (double)b, c);
    FILE *f = fopen("numbers.txt", "r");
    double sum = 0, v;
    int k, idx;
    char word[64];
    while (f && fscanf(f, "%d %lf %63s %d", &k, &v, word, &idx) == 4)
        sum += v * k / 1e6;
    printf("fscanf sum %.10f\n", sum);
    if (f)
        fclose(f);
}

int main(void)
{
    print_doubles();
    libm();
    parse();
    return 0;
}
