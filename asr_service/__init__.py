"""Sovereign on-prem transcription and meeting-minutes service.

Importing the package switches every model library to offline mode before anything else loads.
"""

from asr_service.offline import enforce_offline

enforce_offline()

__version__ = "0.1.0"
