"""Rules (评价规则) as data: criteria, the province baseline, city overlays, and their evaluation."""
