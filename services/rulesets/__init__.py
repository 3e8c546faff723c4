"""Rulesets (评价规则): city overlays stored by year, the effective rules, what-if, published baselines."""
