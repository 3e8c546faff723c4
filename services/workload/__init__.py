"""The empowerment centres' service workload (服务工作量, work plan 三(三)): services recorded one by one or by file,
and their monthly workload per centre and per city, exported for the employment-service subsidy."""
