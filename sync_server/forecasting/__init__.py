"""Forecasts of each hospital unit's load, fitted on the server (issue 25): ``methods`` (SARIMA and its
baselines), ``backtest`` (rolling origin), ``series`` (the history as arrays), ``job`` (all series, in worker
processes, published to the desks)."""
