"""The instruct objective: prompt format, constrained answer scoring, zero-shot detector."""

import numpy as np
import pytest
import torch

from vulntune.models.instruct import PromptCodec, answer_text, score_answers, zero_shot_detector
from vulntune.models.prediction import Detector
from vulntune.models.toy import toy_samples
from vulntune.models.windows import encode, prediction_windows

LABELS = ("safe", "CWE-22", "CWE-78", "CWE-79", "CWE-798")


@pytest.fixture(autouse=True, scope="module")
def cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VULNTUNE_CACHE", str(tmp_path_factory.getbasetemp() / "vulntune-cache-instruct"))
        yield


@pytest.fixture(scope="module")
def detector(cache):
    return zero_shot_detector("tiny", labels=LABELS, languages=("python", "java"), max_length=256)


def test_prompt_format(detector):
    codec = detector.codec
    text = detector.tokenizer.decode(codec.prompt("x = 1", "python"))
    assert text.startswith("### Instruction:\nDoes this Python code contain a security vulnerability?")
    assert text.endswith("### Input:\nx = 1\n### Output:\n")
    example = codec.training_example("x = 1", "java", "CWE-78")
    answer = [t for t in example["labels"] if t != -100]
    assert detector.tokenizer.decode(answer) == "CWE-78" + detector.tokenizer.eos_token
    assert answer_text("safe") == "none"
    # The detector's window counts code tokens only: the prompt and the longest answer are reserved.
    overhead = max(len(codec.prompt("", language)) for language in ("python", "java"))
    assert detector.max_length == 256 - overhead - codec.max_answer


def test_scores_equal_full_forward_likelihood(detector):
    # Batched, left-padded, KV-cached scoring must equal log p(answer | prompt) from one plain forward.
    codes = [s.code for s in toy_samples(per_pair=1)[:4]]
    prompts = [detector.codec.prompt(c, "python") for c in codes]
    got = score_answers(
        detector.model, prompts, detector.codec.answers, pad_id=detector.tokenizer.pad_token_id, batch_size=3
    )
    for i, prompt in enumerate(prompts):
        for j, answer in enumerate(detector.codec.answers):
            with torch.no_grad():
                logp = torch.log_softmax(detector.model(torch.tensor([prompt + answer])).logits.double(), -1)[0]
            expected = sum(logp[len(prompt) - 1 + t, tok].item() for t, tok in enumerate(answer))
            assert got[i, j] == pytest.approx(expected, abs=1e-4)


def test_planted_label_ranks_first(detector):
    # Teach the tiny LM to answer CWE-78 to everything; the constrained scorer must then rank
    # CWE-78 first among all five answers, including CWE-79 and CWE-798 that share its prefix.
    from transformers import AutoModelForCausalLM

    from vulntune.models.sources import resolve_base

    model = AutoModelForCausalLM.from_pretrained(str(resolve_base("tiny").path))
    codec = PromptCodec(detector.tokenizer, LABELS, 256)
    samples = toy_samples(per_pair=1)
    batch = [codec.training_example(s.code, s.language, "CWE-78") for s in samples[:6]]
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    torch.manual_seed(0)
    for _ in range(25):
        for ex in batch:
            out = model(torch.tensor([ex["input_ids"]]), labels=torch.tensor([ex["labels"]]))
            out.loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    from vulntune.models.instruct import InstructDetector

    planted = InstructDetector(
        model=model,
        tokenizer=detector.tokenizer,
        labels=LABELS,
        languages=("python",),
        threshold=0.5,
        max_length=256,
        fingerprint="test",
    )
    unseen = [s.code for s in samples[6:10]]
    for pred in planted.predict(unseen, language="java"):
        assert max(pred.probabilities, key=pred.probabilities.get) == "CWE-78"
        assert pred.cwe == "CWE-78" and pred.label == "vulnerable"
        assert sum(pred.probabilities.values()) == pytest.approx(1.0)


def test_zero_shot_detector_protocol(detector):
    assert isinstance(detector, Detector)
    assert detector.labels == LABELS
    preds = detector.predict(["import os\nos.system(cmd)", "x = 1"], language="python")
    assert len(preds) == 2 and all(0.0 <= p.score <= 1.0 for p in preds)
    assert detector.predict([], language="python") == []
    assert detector.count_tokens("x = 1") == len(detector.tokenizer("x = 1", add_special_tokens=False).input_ids)


def test_default_labels_cover_catalogue(cache):
    from vulntune.cwe import cwes_for

    det = zero_shot_detector("tiny", languages=("java",))
    assert det.labels[0] == "safe" and set(det.labels[1:]) == set(cwes_for("java"))


def test_long_code_is_scored_as_windows_and_the_most_suspicious_decides(detector):
    long = "x = 1\n" * 2000
    assert detector.count_tokens(long) > detector.max_length
    ll, owner = detector.window_log_likelihoods([long, "y = 2"], language="python")
    assert ll.shape[1] == len(LABELS) and np.isfinite(ll).all()
    assert owner.count(0) > 1 and owner.count(1) == 1 and len(owner) == len(ll)
    # every window fits the prompt budget
    windows = prediction_windows(encode(detector.tokenizer, long)["input_ids"], detector.max_length)
    assert len(windows) == owner.count(0) and all(len(w) <= detector.max_length for w in windows)
    p = np.exp(ll - ll.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    worst = max((k for k in range(len(owner)) if owner[k] == 0), key=lambda k: 1 - p[k, 0])
    got = detector.probabilities([long, "y = 2"], language="python")
    np.testing.assert_allclose(got[0], p[worst], rtol=1e-9)
    np.testing.assert_allclose(got[1], p[owner.index(1)], rtol=1e-9)
