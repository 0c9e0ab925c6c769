# Installed by bench/equivalence/run.sh as megatron/core/datasets/Makefile when the folder has none.
# The megatron-core wheel ships the dataset index helpers already built (helpers_cpp*.so) but not the
# Makefile that Megatron-LM's and Bridge's start-up (`compile_helpers()`: `make -C megatron/core/datasets`)
# runs, so that step fails with "No targets specified and no makefile found". This one builds nothing:
# it only checks that the prebuilt extension is there.
default:
	@ls helpers_cpp*.so
