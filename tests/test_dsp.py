"""hipvision.dsp against scipy.signal, which it stands in for on the analysis path."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from hipvision import dsp


@pytest.mark.parametrize("order", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("fs, cutoff", [(24, 6.0), (30, 6.0), (30, 11.0), (60, 4.0), (240, 6.0), (1000, 2.0)])
def test_butter_lowpass_has_scipys_frequency_response(order: int, fs: float, cutoff: float) -> None:
    ours = dsp.butter_lowpass(order, cutoff, fs)
    ref = signal.butter(order, cutoff, btype="low", fs=fs, output="sos")
    assert ours.shape == ref.shape
    w = np.linspace(0, 0.49 * fs, 200)
    _, h_ours = signal.sosfreqz(ours, w, fs=fs)
    _, h_ref = signal.sosfreqz(ref, w, fs=fs)
    np.testing.assert_allclose(h_ours, h_ref, rtol=0, atol=1e-9)
    assert abs(abs(h_ours[0]) - 1) < 1e-12  # unit gain at 0 Hz


@pytest.mark.parametrize("order", [1, 2, 3, 4])
@pytest.mark.parametrize("n", [16, 40, 63, 64, 65, 128, 301, 2000])
def test_sosfiltfilt_matches_scipy(order: int, n: int) -> None:
    rng = np.random.default_rng(n * 10 + order)
    x = np.cumsum(rng.normal(size=n)) + 100.0  # an offset: the steady-state start matters
    sos = dsp.butter_lowpass(order, 6.0, 30.0)
    for padlen in {0, 3 * (2 * len(sos) + 1), n - 1}:
        if padlen >= n:
            continue
        ours = dsp.sosfiltfilt(sos, x, padlen=padlen)
        ref = signal.sosfiltfilt(signal.butter(order, 6.0, fs=30.0, output="sos"), x, padlen=padlen)
        np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9 * np.abs(ref).max())


def test_sosfiltfilt_keeps_a_constant_and_refuses_a_short_signal() -> None:
    sos = dsp.butter_lowpass(2, 4.0, 30.0)
    np.testing.assert_allclose(dsp.sosfiltfilt(sos, np.full(50, 7.5), padlen=15), 7.5, rtol=1e-12)
    with pytest.raises(ValueError, match="padlen"):
        dsp.sosfiltfilt(sos, np.zeros(15), padlen=15)


@pytest.mark.parametrize("cutoff", [0.0, 15.0, 20.0])
def test_butter_lowpass_refuses_a_cutoff_outside_0_to_nyquist(cutoff: float) -> None:
    with pytest.raises(ValueError, match="Nyquist"):
        dsp.butter_lowpass(2, cutoff, 30.0)


def test_find_peaks_matches_scipy_on_random_walks_with_plateaus_and_ties() -> None:
    rng = np.random.default_rng(7)
    found = 0
    for _ in range(400):
        n = int(rng.integers(1, 600))
        # rounding makes plateaus and equal peak heights common
        x = np.round(np.cumsum(rng.normal(size=n)), int(rng.integers(0, 3)))
        prominence, distance = float(rng.uniform(0, 3)), int(rng.integers(1, 30))
        peaks, props = dsp.find_peaks(x, prominence=prominence, distance=distance)
        ref, ref_props = signal.find_peaks(x, prominence=prominence, distance=distance)
        np.testing.assert_array_equal(peaks, ref)
        np.testing.assert_allclose(props["prominences"], ref_props["prominences"], rtol=0, atol=1e-12)
        found += len(peaks)
    assert found > 1000  # the cases had peaks to find


def test_find_peaks_plateau_middle_and_edges() -> None:
    x = np.array([5, 1, 3, 3, 3, 0, 2, 4, 4], dtype=float)  # edges and an end plateau are no peaks
    peaks, props = dsp.find_peaks(x, prominence=0)
    assert peaks.tolist() == [3]
    assert props["prominences"].tolist() == [2.0]  # down to 1 on the left, 0 on the right
