"""scikeras's surface: BaseWrapper, KerasClassifier and KerasRegressor, their
routed and extra parameters, and the model they build."""
