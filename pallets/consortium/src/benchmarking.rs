//! Benchmarks for `pallet_consortium`.

use super::*;
use alloc::vec;
use frame_benchmarking::v2::*;

fn fill_validators<T: Config>(count: u32) {
	let validators: Vec<T::AccountId> =
		(0..count).map(|i| account("validator", i, 0)).collect::<Vec<_>>();
	let mut validators = validators;
	validators.sort();
	Validators::<T>::put(BoundedVec::try_from(validators).expect("count is within the bound"));
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_validator(v: Linear<1, { T::MaxValidators::get() - 1 }>) -> Result<(), BenchmarkError> {
		fill_validators::<T>(v);
		let origin =
			T::ValidatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let new: T::AccountId = account("new", 0, 0);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, new.clone());

		assert!(Validators::<T>::get().contains(&new));
		Ok(())
	}

	#[benchmark]
	fn remove_validator(
		v: Linear<{ T::MinValidators::get() + 1 }, { T::MaxValidators::get() }>,
	) -> Result<(), BenchmarkError> {
		fill_validators::<T>(v);
		let origin =
			T::ValidatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let gone: T::AccountId = account("validator", 0, 0);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, gone.clone());

		assert!(!Validators::<T>::get().contains(&gone));
		Ok(())
	}

	#[benchmark]
	fn dispatch_as_root() -> Result<(), BenchmarkError> {
		let origin =
			T::RootOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let call: <T as Config>::RuntimeCall =
			frame_system::Call::<T>::remark { remark: vec![] }.into();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Box::new(call));

		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
