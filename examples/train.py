"""A stand-in training script for trying Salvo's search methods.

The loss is a noisy curve of one variable whose lowest values lie near x = -0.3:

    loss = sin(5 x) (1 - tanh(x^2)) + noise * N(0, 1)

Salvo replaces the two module-level flag values below before the script runs. When
SALVO_TRIAL_SEED is set (Salvo sets it for every trial), the noise is drawn from it, so
a batch run with --random-seed gives the same losses every time. Standard library only.
"""

import math
import os
import random

x = 0.1
noise = 0.1


def noise_source():
    seed = os.environ.get("SALVO_TRIAL_SEED")
    if not seed:
        return random.Random()
    try:
        return random.Random(int(seed))
    except ValueError:
        return random.Random(seed)


def main():
    loss = math.sin(5 * x) * (1 - math.tanh(x ** 2))
    loss += noise_source().gauss(0, 1) * noise
    print("x: %f" % x)
    print("noise: %f" % noise)
    print("loss: %f" % loss)


main()
