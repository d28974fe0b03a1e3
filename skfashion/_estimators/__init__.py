"""What a user instantiates: the shared Keras estimator base, the classifier
base, SoftmaxClassifier, PixelScaler, early stopping, and the settings
scikit-learn's estimator checks run them with."""
