"""PyTorch twins of cgan's nets and training step, for `deno task bench --vs-torch`.

The same networks, layer for layer, as src/models/mlp_cgan.ts (paper 000's MLP cGAN),
src/models/dcgan_mnist.ts (paper 001's DCGAN), src/models/dcgan_cifar.ts (paper 002's
CIFAR-10 DCGAN, any --width) and src/models/pix2pix.ts (U-Net G and PatchGAN D, any --size
and --width), and the same step as src/train/step.ts: one D update on real and generated
images, then one G update, with the adversarial losses of src/train/losses.ts (bce with
one-sided label smoothing, lsgan, hinge, wgan with weight clipping, wgan-gp with the gradient
penalty of src/train/gradient_penalty.ts) and pix2pix's lambda x L1; Adam on each net with
cgan's hyper-parameters (the bench passes the model's resolved config; the defaults here are
cgan's DEFAULTS). Random data of the dataset's shape stands in for the images (the step's cost
does not depend on the pixel values). Prints one JSON object, with the parameter counts of
both nets for the bench to compare with cgan's.

Where tfjs and PyTorch differ in form only:
- Keras BatchNorm momentum m is PyTorch momentum 1 - m (Keras: 0.99, eps 1e-3).
- tfjs's "same" padding of a stride-2 5x5 conv pads 1 before and 2 after; PyTorch's
  Conv2d(padding=2) pads 2 and 2: the same output shape and the same multiply-adds, the window
  one pixel apart. Every other padding here is exactly tfjs's.
- NCHW instead of NHWC; a Dense output reshaped to a map is the same units in another order.
- cgan's one-hot label layer is a frozen identity Embedding: here a buffer indexed by label.
Parameter counts: "trainable" are the weights the optimizers update, "total" adds BatchNorm's
running statistics and the frozen one-hot table (tfjs's countParams()).

A benchmark harness, not part of the library. Run it as the bench task does:
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tasks/bench_torch.py --model mlp --batch-size 64
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tasks/bench_torch.py --model dcgan --dataset cifar10
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tasks/bench_torch.py --model pix2pix --batch-size 1
(Debian's python3-torch; with libopenblas0-pthread installed it is the system libblas.so.3.)
"""

import argparse
import json
import math
import statistics
import time

import torch
from torch import nn
import torch.nn.functional as F

LATENT = 100
CLASSES = 10
# Keras/tfjs BatchNorm defaults (momentum 0.99, epsilon 1e-3) in PyTorch's terms.
BN = {"eps": 1e-3, "momentum": 0.01}


def scaled(filters, width):
    """cgan's Math.max(1, Math.round(filters * width)) (JavaScript rounds halves up)."""
    return max(1, math.floor(filters * width + 0.5))


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


class CifarGenerator(nn.Module):
    """concat(z, one-hot label) -> Dense 4x4x512, BN, ReLU -> ConvT 512, 256, 128 (5x5 s2, BN,
    ReLU) -> ConvT 3 (5x5 s1, tanh); every width times --width (paper 002)."""

    def __init__(self, width, side=32, channels=3):
        super().__init__()
        base, *ups = (scaled(f, width) for f in (512, 512, 256, 128))
        self.base, self.side = base, side // 8
        self.register_buffer("onehot", torch.eye(CLASSES))  # frozen, as cgan's oneHotLabels
        self.project = nn.Linear(LATENT + CLASSES, self.side * self.side * base)
        self.project_bn = nn.BatchNorm2d(base, **BN)
        layers, prev = [], base
        for filters in ups:
            # 5x5 stride 2 "same" doubles the side: padding 2 and output_padding 1.
            layers += [nn.ConvTranspose2d(prev, filters, 5, 2, 2, output_padding=1),
                       nn.BatchNorm2d(filters, **BN), nn.ReLU()]
            prev = filters
        layers += [nn.ConvTranspose2d(prev, channels, 5, 1, 2), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z, labels):
        x = self.project(torch.cat([z, self.onehot[labels]], 1))
        x = F.relu(self.project_bn(x.view(-1, self.base, self.side, self.side)))
        return self.net(x)


class CifarDiscriminator(nn.Module):
    """concat(image, label map) -> Conv 64, 128, 256, 512 (5x5 s2, LeakyReLU 0.2) -> Conv 1
    (4x4 "same") -> mean over the map: one logit; no BatchNorm (paper 002, times --width)."""

    def __init__(self, width, side=32, channels=3):
        super().__init__()
        self.label = LabelMap(side)
        layers, prev = [], channels + 1
        for filters in (scaled(f, width) for f in (64, 128, 256, 512)):
            layers += [nn.Conv2d(prev, filters, 5, 2, 2), nn.LeakyReLU(0.2)]
            prev = filters
        # tfjs's "same" for 4x4 stride 1: 1 pixel before, 2 after.
        layers += [nn.ZeroPad2d((1, 2, 1, 2)), nn.Conv2d(prev, 1, 4)]
        self.net = nn.Sequential(*layers)

    def forward(self, images, labels):
        return self.net(torch.cat([images, self.label(labels)], 1)).mean((2, 3))


def pix2pix_channels(i, width, table=(64, 128, 256, 512)):
    return scaled(table[min(i, len(table) - 1)], width)


class UnetGenerator(nn.Module):
    """pix2pix's U-Net down to 1x1: encoder of 4x4 s2 convs (no bias; BN but on the first and
    the innermost; LeakyReLU 0.2), decoder of 4x4 s2 transposed convs (no bias; BN, dropout 0.5
    in the 3 innermost, ReLU) each joined to the encoder map of its size, ConvT to 3, tanh."""

    def __init__(self, size, width, channels=3):
        super().__init__()
        depth = round(math.log2(size))
        self.down = nn.ModuleList()
        prev = channels
        for i in range(depth):
            filters = pix2pix_channels(i, width)
            layers = [nn.Conv2d(prev, filters, 4, 2, 1, bias=False)]
            if 0 < i < depth - 1:
                layers.append(nn.BatchNorm2d(filters, **BN))
            layers.append(nn.LeakyReLU(0.2))
            self.down.append(nn.Sequential(*layers))
            prev = filters
        self.up = nn.ModuleList()
        for j in range(depth - 2, -1, -1):
            block, filters = depth - 1 - j, pix2pix_channels(j, width)
            layers = [nn.ConvTranspose2d(prev, filters, 4, 2, 1, bias=False), nn.BatchNorm2d(filters, **BN)]
            if block <= 3:
                layers.append(nn.Dropout(0.5))
            layers.append(nn.ReLU())
            self.up.append(nn.Sequential(*layers))
            prev = 2 * filters  # joined to the encoder map of the same size
        self.out = nn.ConvTranspose2d(prev, channels, 4, 2, 1)

    def forward(self, x):
        skips = []
        for layer in self.down:
            x = layer(x)
            skips.append(x)
        for layer, skip in zip(self.up, reversed(skips[:-1])):
            x = torch.cat([layer(x), skip], 1)
        return torch.tanh(self.out(x))


class PatchDiscriminator(nn.Module):
    """PatchGAN on concat(input, image): C64 (s2) - C128 - C256 (s2, BN) - C512 (s1, pad 1, BN),
    LeakyReLU 0.2, then a 1-channel 4x4 conv (s1, pad 1): 30x30 logits at 256, 6x6 at 64."""

    def __init__(self, width, channels=3):
        super().__init__()
        layers, prev = [], 2 * channels
        for i, stride in enumerate((2, 2, 2, 1)):
            filters = pix2pix_channels(i, width)
            layers.append(nn.Conv2d(prev, filters, 4, stride, 1))
            if i > 0:
                layers.append(nn.BatchNorm2d(filters, **BN))
            layers.append(nn.LeakyReLU(0.2))
            prev = filters
        layers.append(nn.Conv2d(prev, 1, 4, 1, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, condition, images):
        return self.net(torch.cat([condition, images], 1))


def build(args):
    """G, D and the image shape (C, H, W) of --model on --dataset."""
    if args.model == "mlp":
        return MlpGenerator(), MlpDiscriminator(), (1, 28, 28)
    if args.model == "dcgan" and args.dataset == "mnist":
        return DcganGenerator(), DcganDiscriminator(), (1, 28, 28)
    if args.model == "dcgan":
        return CifarGenerator(args.width), CifarDiscriminator(args.width), (3, 32, 32)
    return UnetGenerator(args.size, args.width), PatchDiscriminator(args.width), (3, args.size, args.size)


def count_params(net):
    """Trainable weights, and all weights as tfjs counts them (with BN statistics, frozen tables)."""
    trainable = sum(p.numel() for p in net.parameters() if p.requires_grad)
    frozen = sum(b.numel() for name, b in net.named_buffers() if not name.endswith("num_batches_tracked"))
    return {"trainable": trainable, "total": trainable + frozen}


def bce(logits, target):
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


def d_loss_of(loss, real, fake, smoothing):
    """D's half of src/train/losses.ts on D's raw outputs."""
    if loss == "bce":
        return 0.5 * (bce(real, 1 - smoothing) + bce(fake, 0.0))
    if loss == "lsgan":
        return 0.5 * ((real - (1 - smoothing)).square().mean() + fake.square().mean())
    if loss == "hinge":
        return F.relu(1 - real).mean() + F.relu(1 + fake).mean()
    return fake.mean() - real.mean()  # wgan, wgan-gp


def g_loss_of(loss, fake):
    """G's half of src/train/losses.ts (non-saturating for bce)."""
    if loss == "bce":
        return bce(fake, 1.0)
    if loss == "lsgan":
        return 0.5 * (fake - 1).square().mean()
    return -fake.mean()  # hinge, wgan, wgan-gp


def gradient_penalty(critic, real, fake, alpha):
    """mean((||grad D(x_hat)||_2 - 1)^2) on x_hat = alpha real + (1 - alpha) fake, as
    src/train/gradient_penalty.ts (norm under a 1e-12 guard), differentiable in D's weights."""
    x_hat = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grads,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    norms = torch.sqrt(grads.square().flatten(1).sum(1) + 1e-12)
    return (norms - 1).square().mean()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["mlp", "dcgan", "pix2pix"], default="mlp")
    parser.add_argument("--dataset", choices=["mnist", "cifar10"], default="mnist",
                        help="dcgan: paper 001's MNIST nets or paper 002's CIFAR-10 ones")
    parser.add_argument("--loss", choices=["bce", "lsgan", "hinge", "wgan", "wgan-gp"], default="bce")
    parser.add_argument("--width", type=float, default=1.0, help="channel multiplier (CIFAR DCGAN, pix2pix)")
    parser.add_argument("--size", type=int, default=64, help="pix2pix: side of the square images")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--beta1", type=float, default=0.5)
    parser.add_argument("--beta2", type=float, default=0.999)
    parser.add_argument("--epsilon", type=float, default=1e-7)
    parser.add_argument("--label-smoothing", type=float, default=0.1)
    parser.add_argument("--clip-value", type=float, default=0.01, help="wgan")
    parser.add_argument("--lambda-gp", type=float, default=10.0, help="wgan-gp")
    parser.add_argument("--lambda-l1", type=float, default=100.0, help="pix2pix")
    args = parser.parse_args()
    if min(args.steps, args.runs, args.batch_size) < 1 or args.warmup < 0:
        parser.error("--steps, --runs and --batch-size must be >= 1, --warmup >= 0")
    if args.model == "pix2pix":
        if args.loss not in ("bce", "lsgan", "hinge"):
            parser.error(f"pix2pix trains with bce, lsgan or hinge, not {args.loss}")
        if args.size < 32 or 2 ** round(math.log2(args.size)) != args.size:
            parser.error(f"--size {args.size}: pix2pix needs a power of two >= 32")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    gen, disc, shape = build(args)
    adam = {"lr": args.lr, "betas": (args.beta1, args.beta2), "eps": args.epsilon}
    g_opt = torch.optim.Adam(gen.parameters(), **adam)
    d_opt = torch.optim.Adam(disc.parameters(), **adam)
    n, loss = args.batch_size, args.loss
    images = torch.rand(n, *shape) * 2 - 1
    paired = args.model == "pix2pix"
    condition = torch.rand(n, *shape) * 2 - 1 if paired else None
    labels = torch.randint(0, CLASSES, (n,))
    last = {}  # the last step's losses and G's and D's output shapes

    def step(timing):
        z = torch.randn(n, LATENT)
        fake_labels = torch.randint(0, CLASSES, (n,))
        alpha = torch.rand(n, 1, 1, 1)
        G = (lambda _: gen(condition)) if paired else (lambda y: gen(z, y))
        D = (lambda x, _: disc(condition, x)) if paired else disc
        # As step.ts: with the penalty, D's fakes are drawn for the real labels.
        d_fake_labels = labels if loss == "wgan-gp" else fake_labels
        t0 = time.perf_counter()
        # As step.ts: G runs forward once; D's update scores its images detached, G's loss scores
        # them again after D's update. With the penalty D's fakes need their own forward.
        d_opt.zero_grad(set_to_none=True)
        fake_for_g = G(fake_labels)
        fake = G(d_fake_labels).detach() if loss == "wgan-gp" else fake_for_g.detach()
        d_loss = d_loss_of(loss, D(images, labels), D(fake, d_fake_labels), args.label_smoothing)
        if loss == "wgan-gp":
            d_loss = d_loss + args.lambda_gp * gradient_penalty(lambda x: D(x, labels), images, fake, alpha)
        d_loss.backward()
        d_opt.step()
        if loss == "wgan":
            with torch.no_grad():
                for p in disc.parameters():
                    p.clamp_(-args.clip_value, args.clip_value)
        t1 = time.perf_counter()
        g_opt.zero_grad(set_to_none=True)
        fake = fake_for_g
        scores = D(fake, fake_labels)
        last["shapes"] = {"gen": list(fake.shape), "disc": list(scores.shape)}
        g_loss = g_loss_of(loss, scores)
        if paired:
            g_loss = g_loss + args.lambda_l1 * (images - fake).abs().mean()
        g_loss.backward()
        g_opt.step()
        last["dLoss"], last["gLoss"] = float(d_loss), float(g_loss)  # waits, as the Deno bench's data()
        t2 = time.perf_counter()
        timing[0] += t1 - t0
        timing[1] += t2 - t1

    for _ in range(args.warmup):
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
        "dataset": "pairs" if paired else args.dataset,
        "loss": loss,
        "width": args.width,
        "imageShape": list(shape),
        "batchSize": n,
        "params": {"gen": count_params(gen), "disc": count_params(disc)},
        "trainImagesPerSecond": statistics.median(rates),
        "msPerStep": 1000 * n / statistics.median(rates),
        "dMsPerStep": statistics.median(d_ms),
        "gMsPerStep": statistics.median(g_ms),
        "outputShapes": last["shapes"],
        "lastLosses": {"d": last["dLoss"], "g": last["gLoss"]},
        "runs": rates,
    }))


if __name__ == "__main__":
    main()
