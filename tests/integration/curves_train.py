"""A training stand-in for tests that plot curves: its loss falls over eight steps
towards a floor set by three flags, and it prints the loss at every step, `delay`
seconds apart."""

import math
import sys
import time

lr = 0.01
momentum = 0.5
width = 32
delay = 0.0


def main():
    floor = 0.1 + 0.3 * (math.log10(lr) + 1.5) ** 2 + 0.5 * (momentum - 0.8) ** 2
    floor += 2.0 / width
    for step in range(1, 9):
        loss = floor + (1.5 - floor) * math.exp(-0.35 * step * (0.5 + momentum))
        print("loss: %f (step %d)" % (loss, step))
        sys.stdout.flush()
        time.sleep(delay)


main()
