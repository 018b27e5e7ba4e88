"""Tests of the web layer (``tremplin/web``), one module per module tested."""
