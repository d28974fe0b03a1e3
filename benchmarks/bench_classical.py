"""The Keras models against classical scikit-learn models, as ``skfashion benchmark``.

    python benchmarks/bench_classical.py [--models softmax,cnn,logistic,...] [--quick]
                                         [--n-jobs 1] [--output DIR]

Every model is fitted through the same Pipeline([PixelScaler(), model]) on the
60,000 training images and scored on the 10,000 test images; the table puts the
Fashion-MNIST paper's accuracy (Xiao, Rasul and Vollgraf 2017, Table 3) beside
ours. The code is the command's own (``skfashion.benchmark``), not a copy.
"""

import sys

from skfashion.cli import main

if __name__ == "__main__":
    sys.exit(main(["benchmark", *sys.argv[1:]]))
