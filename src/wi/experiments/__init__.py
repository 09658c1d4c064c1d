"""The classic weight-initialisation experiments, run with wi's fills.

Reproduces, in NumPy only:

* activation statistics of deep fully connected nets at initialisation
  (Saito, "Deep Learning from Scratch", section 6.2 histograms; He et al. 2015 for the
  30-layer ReLU net),
* back-propagated and weight-gradient statistics (Glorot & Bengio 2010, Fig. 6 and 7),
* training curves of an MLP for std=0.01, Xavier and He (Saito, section 6.2.4, on the
  digits data set that scikit-learn ships instead of MNIST).

Run them with ``python -m wi experiment [activations|gradients|training|all]``; the entry
point is :func:`wi.experiments.cli.main`. matplotlib, scikit-learn and tqdm are optional
(``pip install weightinit[experiments]``) and imported only when needed.
"""
