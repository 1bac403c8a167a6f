"""hipvision: camera-based hip-mobility tests and movement screening.

Pipeline: frame source -> pose backend -> PoseSequence -> cleaning -> analyzer -> report.
The public Python API lives in :mod:`hipvision.api`; the CLI and the Streamlit app are
thin layers over it.
"""

__version__ = "0.1.0"
