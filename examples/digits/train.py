"""Tunes a support vector classifier on scikit-learn's bundled handwritten digits.

The data (1,797 8x8 images, shipped with scikit-learn, no download) is split once into a
fixed training set (70%) and validation set (30%). The script fits an SVC with the flag
values below and prints the validation error rate as `val_loss` (the objective in
salvo.yml), the accuracy as `val_accuracy` and the time the fit took as `fit_seconds`.
"""

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

C = 1.0
gamma = 0.01
kernel = "rbf"


def load_split():
    images, labels = load_digits(return_X_y=True)
    # Pixels hold 0..16; scaling them to [0, 1] puts gamma on the same scale for all runs.
    return train_test_split(images / 16.0, labels, test_size=0.3, random_state=0,
                            stratify=labels)


def main():
    train_x, val_x, train_y, val_y = load_split()
    started = time.time()
    model = SVC(C=C, gamma=gamma, kernel=kernel).fit(train_x, train_y)
    fit_seconds = time.time() - started
    accuracy = float(np.mean(model.predict(val_x) == val_y))
    print("val_loss: %f" % (1.0 - accuracy))
    print("val_accuracy: %f" % accuracy)
    print("fit_seconds: %f" % fit_seconds)


main()
