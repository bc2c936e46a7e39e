/*
 * raytrace: a small Whitted ray tracer (spheres over a checkered floor, one point light, hard
 * shadows, mirror reflections, 2x2 .. 8x8 supersampling) as an ABI v2 (WASI) program. It renders
 * one tile of an image, so an image is a batch of jobs.
 *
 *   raytrace WIDTH HEIGHT TILE_X TILE_Y TILE_W TILE_H [SAMPLES]
 *
 * stdout: the tile in the `mandelbrot` program's tile format ("MBT1", then u32 LE tile x, y, width,
 * height, image width, height, then RGBA bytes row by row), so the SDK's `assembleTiles` turns the
 * tiles into one PNG. SAMPLES (default 2) is the supersampling grid per axis: a fixed pattern, no
 * randomness. Plain double arithmetic and libc's sqrt/pow, all inside the module: the same bytes
 * on every machine. Bad arguments: a message on stderr, exit code 2.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct { double x, y, z; } V;
static V v(double x, double y, double z) { V r = {x, y, z}; return r; }
static V add(V a, V b) { return v(a.x + b.x, a.y + b.y, a.z + b.z); }
static V sub(V a, V b) { return v(a.x - b.x, a.y - b.y, a.z - b.z); }
static V mul(V a, double s) { return v(a.x * s, a.y * s, a.z * s); }
static V hadamard(V a, V b) { return v(a.x * b.x, a.y * b.y, a.z * b.z); }
static double dot(V a, V b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static V norm(V a) { return mul(a, 1.0 / sqrt(dot(a, a))); }

typedef struct { V center; double radius; V color; double mirror; } Sphere;
static const Sphere SPHERES[] = {
  {{0.0, 1.0, 0.0}, 1.0, {0.9, 0.25, 0.2}, 0.25},
  {{-2.2, 0.7, 1.0}, 0.7, {0.2, 0.6, 0.95}, 0.1},
  {{2.0, 0.8, 0.8}, 0.8, {0.95, 0.95, 0.95}, 0.8},
  {{0.9, 0.35, 2.2}, 0.35, {0.3, 0.9, 0.35}, 0.0},
};
#define NSPHERES (sizeof SPHERES / sizeof SPHERES[0])
static const V LIGHT = {-4.0, 7.0, 5.0};
static const V SKY_TOP = {0.35, 0.55, 0.9}, SKY_BOTTOM = {0.9, 0.93, 1.0};

/* Nearest hit along origin + t*dir (t > 1e-6): returns t or INFINITY, with the surface's
 * normal, color and mirror factor. The floor is the plane y = 0. */
static double hit(V o, V d, V *n, V *color, double *mirror) {
  double best = INFINITY;
  for (unsigned i = 0; i < NSPHERES; i++) {
    V oc = sub(o, SPHERES[i].center);
    double b = dot(oc, d), c = dot(oc, oc) - SPHERES[i].radius * SPHERES[i].radius, disc = b * b - c;
    if (disc < 0) continue;
    double s = sqrt(disc), t = -b - s;
    if (t < 1e-6) t = -b + s;
    if (t > 1e-6 && t < best) {
      best = t;
      *n = mul(sub(add(o, mul(d, t)), SPHERES[i].center), 1.0 / SPHERES[i].radius);
      *color = SPHERES[i].color;
      *mirror = SPHERES[i].mirror;
    }
  }
  if (d.y < 0) {
    double t = -o.y / d.y;
    if (t > 1e-6 && t < best) {
      best = t;
      V p = add(o, mul(d, t));
      int check = ((int)floor(p.x) + (int)floor(p.z)) & 1;
      *n = v(0, 1, 0);
      *color = check ? v(0.85, 0.85, 0.8) : v(0.25, 0.25, 0.3);
      *mirror = 0.15;
    }
  }
  return best;
}

static V trace(V o, V d, int depth) {
  V n, color;
  double mirror;
  double t = hit(o, d, &n, &color, &mirror);
  if (t == INFINITY) {
    double k = 0.5 * (d.y + 1.0);
    return add(mul(SKY_BOTTOM, 1.0 - k), mul(SKY_TOP, k));
  }
  V p = add(o, mul(d, t));
  V toLight = sub(LIGHT, p);
  double distance = sqrt(dot(toLight, toLight));
  V l = mul(toLight, 1.0 / distance);
  V sn, sc;
  double sm;
  double shadowT = hit(p, l, &sn, &sc, &sm);
  double diffuse = dot(n, l);
  if (diffuse < 0 || shadowT < distance) diffuse = 0;
  V r = sub(d, mul(n, 2.0 * dot(d, n)));
  double spec = diffuse > 0 ? pow(fmax(dot(r, l), 0.0), 40.0) : 0.0;
  V local = add(mul(color, 0.12 + 0.88 * diffuse), v(spec, spec, spec));
  if (mirror > 0 && depth < 4) local = add(mul(local, 1.0 - mirror), mul(hadamard(trace(p, r, depth + 1), v(1, 1, 1)), mirror));
  return local;
}

static int argument(const char *s, long min, long max, const char *name) {
  char *end;
  long x = strtol(s, &end, 10);
  if (*s == 0 || *end != 0 || x < min || x > max) {
    fprintf(stderr, "raytrace: %s must be an integer in [%ld, %ld], got \"%s\"\n", name, min, max, s);
    exit(2);
  }
  return (int)x;
}

static void u32(uint32_t x) { putchar(x & 255); putchar((x >> 8) & 255); putchar((x >> 16) & 255); putchar(x >> 24); }

static unsigned char channel(double c) {
  c = pow(fmin(fmax(c, 0.0), 1.0), 1.0 / 2.2); /* gamma */
  return (unsigned char)(c * 255.0 + 0.5);
}

int main(int argc, char **argv) {
  if (argc != 7 && argc != 8) {
    fprintf(stderr, "usage: raytrace WIDTH HEIGHT TILE_X TILE_Y TILE_W TILE_H [SAMPLES]\n");
    return 2;
  }
  int w = argument(argv[1], 1, 8192, "WIDTH"), h = argument(argv[2], 1, 8192, "HEIGHT");
  int tx = argument(argv[3], 0, w - 1, "TILE_X"), ty = argument(argv[4], 0, h - 1, "TILE_Y");
  int tw = argument(argv[5], 1, w - tx, "TILE_W"), th = argument(argv[6], 1, h - ty, "TILE_H");
  int samples = argc == 8 ? argument(argv[7], 1, 8, "SAMPLES") : 2;
  fputs("MBT1", stdout);
  u32(tx); u32(ty); u32(tw); u32(th); u32(w); u32(h);
  V eye = v(0.0, 2.2, 7.5), forward = norm(sub(v(0.0, 0.8, 0.0), eye));
  V right = norm(v(-forward.z, 0, forward.x)); /* forward x world up */
  V up = v(right.y * forward.z - right.z * forward.y, right.z * forward.x - right.x * forward.z,
    right.x * forward.y - right.y * forward.x); /* right x forward */
  double scale = 0.9 / h; /* vertical field of view of about 48 degrees */
  for (int y = ty; y < ty + th; y++) {
    for (int x = tx; x < tx + tw; x++) {
      V sum = v(0, 0, 0);
      for (int sy = 0; sy < samples; sy++)
        for (int sx = 0; sx < samples; sx++) {
          double px = (x + (sx + 0.5) / samples - w / 2.0) * scale * 2.0;
          double py = (h / 2.0 - y - (sy + 0.5) / samples) * scale * 2.0;
          sum = add(sum, trace(eye, norm(add(forward, add(mul(right, px), mul(up, py)))), 0));
        }
      sum = mul(sum, 1.0 / (samples * samples));
      putchar(channel(sum.x)); putchar(channel(sum.y)); putchar(channel(sum.z)); putchar(255);
    }
  }
  return 0;
}
