"""StageFit: sales-process competency assessment."""

__version__ = "0.1.0"
