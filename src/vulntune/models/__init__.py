"""Base-model sources, the detector (load/save/predict) and the TF-IDF baseline."""
