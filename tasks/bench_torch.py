"""PyTorch reference for `deno task bench --vs-torch`.

The same networks and the same training step as cgan (src/models/mlp_cgan.ts,
src/models/dcgan_mnist.ts, src/train/step.ts): one D update on real and generated images with
one-sided label smoothing, then one G update with the non-saturating loss, Adam(2e-4, 0.5,
0.999, eps 1e-7). Random data of MNIST's shape stands in for MNIST (the step's cost does not
depend on the pixel values). Prints one JSON object.

A benchmark harness, not part of the library. Run it as the bench task does:
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tasks/bench_torch.py --model mlp --batch-size 64
(Debian's python3-torch; with libopenblas0-pthread installed it is the system libblas.so.3.)
"""

import argparse
import json
import statistics
import time

import torch
from torch import nn
import torch.nn.functional as F

LATENT = 100
CLASSES = 10


class MlpGenerator(nn.Module):
    """z * embedding(label) -> [Dense, LeakyReLU 0.2, BN(0.8)] x (256, 512, 1024) -> tanh."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(CLASSES, LATENT)
        layers, width = [], LATENT
        for units in (256, 512, 1024):
            # Keras momentum 0.8 is PyTorch momentum 0.2; Keras epsilon 1e-3.
            layers += [nn.Linear(width, units), nn.LeakyReLU(0.2), nn.BatchNorm1d(units, eps=1e-3, momentum=0.2)]
            width = units
        layers += [nn.Linear(width, 784), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z, labels):
        return self.net(z * self.embed(labels)).view(-1, 1, 28, 28)


class MlpDiscriminator(nn.Module):
    """flatten(image) * embedding(label) -> [Dense, LeakyReLU 0.2] x (512, 256, 128) -> logit."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(CLASSES, 784)
        layers, width = [], 784
        for units in (512, 256, 128):
            layers += [nn.Linear(width, units), nn.LeakyReLU(0.2)]
            width = units
        layers += [nn.Linear(width, 1)]
        self.net = nn.Sequential(*layers)

    def forward(self, images, labels):
        return self.net(images.flatten(1) * self.embed(labels))


class LabelMap(nn.Module):
    """label -> Embedding(10, 50) -> Dense(h*w) -> [N, 1, h, w] (paper 001)."""

    def __init__(self, side):
        super().__init__()
        self.side = side
        self.embed = nn.Embedding(CLASSES, 50)
        self.dense = nn.Linear(50, side * side)

    def forward(self, labels):
        return self.dense(self.embed(labels)).view(-1, 1, self.side, self.side)


class DcganGenerator(nn.Module):
    """z -> Dense(128*7*7), LeakyReLU -> concat label map -> 2x ConvT 128 4x4 s2 -> Conv 1 7x7 tanh."""

    def __init__(self):
        super().__init__()
        self.project = nn.Linear(LATENT, 128 * 7 * 7)
        self.label = LabelMap(7)
        self.up1 = nn.ConvTranspose2d(129, 128, 4, 2, 1)
        self.up2 = nn.ConvTranspose2d(128, 128, 4, 2, 1)
        self.out = nn.Conv2d(128, 1, 7, padding=3)

    def forward(self, z, labels):
        x = F.leaky_relu(self.project(z), 0.2).view(-1, 128, 7, 7)
        x = torch.cat([x, self.label(labels)], 1)
        x = F.leaky_relu(self.up1(x), 0.2)
        x = F.leaky_relu(self.up2(x), 0.2)
        return torch.tanh(self.out(x))


class DcganDiscriminator(nn.Module):
    """concat(image, label map) -> 2x [Conv 128 3x3 s2, LeakyReLU] -> Dropout 0.4 -> logit."""

    def __init__(self):
        super().__init__()
        self.label = LabelMap(28)
        self.down1 = nn.Conv2d(2, 128, 3, 2, 1)
        self.down2 = nn.Conv2d(128, 128, 3, 2, 1)
        self.drop = nn.Dropout(0.4)
        self.logit = nn.Linear(128 * 7 * 7, 1)

    def forward(self, images, labels):
        x = torch.cat([images, self.label(labels)], 1)
        x = F.leaky_relu(self.down1(x), 0.2)
        x = F.leaky_relu(self.down2(x), 0.2)
        return self.logit(self.drop(x.flatten(1)))


MODELS = {"mlp": (MlpGenerator, MlpDiscriminator), "dcgan": (DcganGenerator, DcganDiscriminator)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="mlp")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    gen_cls, disc_cls = MODELS[args.model]
    gen, disc = gen_cls(), disc_cls()
    g_opt = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    d_opt = torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    n = args.batch_size
    images = torch.rand(n, 1, 28, 28) * 2 - 1
    labels = torch.randint(0, CLASSES, (n,))
    real_target = torch.full((n, 1), 0.9)  # one-sided label smoothing 0.1
    fake_target = torch.zeros(n, 1)
    ones = torch.ones(n, 1)

    def step(timing):
        z = torch.randn(n, LATENT)
        fake_labels = torch.randint(0, CLASSES, (n,))
        t0 = time.perf_counter()
        # D: like tfjs's minimize over D's variables only, G runs forward inside the D step.
        d_opt.zero_grad(set_to_none=True)
        fake = gen(z, fake_labels)
        d_loss = F.binary_cross_entropy_with_logits(disc(images, labels), real_target) + \
            F.binary_cross_entropy_with_logits(disc(fake.detach(), fake_labels), fake_target)
        d_loss.backward()
        d_opt.step()
        t1 = time.perf_counter()
        g_opt.zero_grad(set_to_none=True)
        g_loss = F.binary_cross_entropy_with_logits(disc(gen(z, fake_labels), fake_labels), ones)
        g_loss.backward()
        g_opt.step()
        float(g_loss)  # wait for the result, as the Deno bench awaits data()
        t2 = time.perf_counter()
        timing[0] += t1 - t0
        timing[1] += t2 - t1

    for _ in range(3):  # warm-up
        step([0.0, 0.0])
    rates, d_ms, g_ms = [], [], []
    for _ in range(args.runs):
        timing = [0.0, 0.0]
        start = time.perf_counter()
        for _ in range(args.steps):
            step(timing)
        seconds = time.perf_counter() - start
        rates.append(n * args.steps / seconds)
        d_ms.append(1000 * timing[0] / args.steps)
        g_ms.append(1000 * timing[1] / args.steps)
    print(json.dumps({
        "framework": f"torch {torch.__version__}",
        "threads": torch.get_num_threads(),
        "model": args.model,
        "batchSize": n,
        "trainImagesPerSecond": statistics.median(rates),
        "msPerStep": 1000 * n / statistics.median(rates),
        "dMsPerStep": statistics.median(d_ms),
        "gMsPerStep": statistics.median(g_ms),
        "runs": rates,
    }))


if __name__ == "__main__":
    main()
